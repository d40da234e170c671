import { type APIRequestContext, expect, type Page } from "@playwright/test";
import type { FakeGraph } from "./fakes/fake-graph";
import type { Workspace } from "./workspace";

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

/**
 * After signing in with a password an admin set: the console holds the account on /account, which
 * explains why, until it chooses its own; then it goes on to the dashboard.
 */
export async function chooseOwnPassword(page: Page, current: string, next: string) {
  await expect(page).toHaveURL(/\/account\?required=password$/);
  await expect(page.getByTestId("password-change-required")).toContainText("An admin set the password you signed in with");
  await page.getByLabel("Current password").fill(current);
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("Confirm new password").fill(next);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Account menu" }).first().click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

export const MANAGER = { name: "Maya Manager", email: "maya@e2e.test", password: "maya-password-42" };

/** The drama school's workspace as the first admin set it up, with the users the spec asks for. */
export function dramaSchool(...others: Array<"marketer" | "manager">): Workspace {
  return {
    organisation: ADMIN.organisation,
    users: [
      { ...ADMIN, role: "admin" },
      ...(others.includes("manager") ? [{ ...MANAGER, role: "manager" as const }] : []),
      ...(others.includes("marketer") ? [{ ...MARKETER, role: "marketer" as const }] : []),
    ],
  };
}

/** The drama school's Cloud API number (app secret "e2e-app-secret"), as Graph and the webhooks know it. */
export const SALES_LINE = {
  label: "E2E sales line",
  phone: "+1 555 078-3881",
  phoneNumberId: "106540352242922",
  displayPhoneNumber: "15550783881",
  wabaId: "102290129340398",
  token: "EAAG-e2e-token-1a2b",
  appSecret: "e2e-app-secret",
  verifiedName: "E2E Drama School",
};

/** The fake Graph API knows the sales line (with its token). */
export function fakeSalesLine(graph: FakeGraph) {
  graph.addPhoneNumber({
    id: SALES_LINE.phoneNumberId,
    token: SALES_LINE.token,
    display_phone_number: "+1 555-078-3881",
    verified_name: SALES_LINE.verifiedName,
    quality_rating: "GREEN",
    code_verification_status: "VERIFIED",
    messaging_limit_tier: "TIER_1K",
  });
}

/** Graph knows the sales line, and an admin connects it through the API (as the Numbers form does). */
export async function connectSalesLine(graph: FakeGraph, api: APIRequestContext) {
  fakeSalesLine(graph);
  const res = await api.post("/api/v1/numbers", {
    data: {
      provider: "cloud",
      label: SALES_LINE.label,
      phoneE164: SALES_LINE.phone,
      phoneNumberId: SALES_LINE.phoneNumberId,
      wabaId: SALES_LINE.wabaId,
      accessToken: SALES_LINE.token,
      appSecret: SALES_LINE.appSecret,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
}
