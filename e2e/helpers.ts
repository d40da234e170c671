import { expect, type Page } from "@playwright/test";

export const ADMIN = { organisation: "E2E Drama School", name: "Alice Admin", email: "alice@e2e.test", password: "alice-password-42" };
export const MARKETER = { name: "Mark Marketer", email: "mark@e2e.test", password: "mark-password-42" };

/** Submits the sign-in form (and nothing else: use signIn when it should succeed). */
export async function submitSignIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signIn(page: Page, email: string, password: string) {
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(/\/dashboard$/);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Account menu" }).first().click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

export const MANAGER = { name: "Maya Manager", email: "maya@e2e.test", password: "maya-password-42" };

/** The port of the fake Graph API the server was started against (see playwright.config.ts). */
export const graphPort = () => Number(process.env.E2E_GRAPH_PORT);
