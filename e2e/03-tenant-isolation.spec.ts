import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ADMIN, chooseOwnPassword, dramaSchool, MARKETER, signIn, signOut, submitSignIn } from "./helpers";

// Two workspaces on one server. Only the drama school (with the demo data) is seeded; the second one is
// made the way a customer makes it: Alice creates "Other Co" with the workspace switcher, adds Bob as its
// admin, and Bob must then see none of the drama school (Mark is a member there only), whatever cookie his
// browser sends. Alice belongs to both: she made Other Co.
const OTHER = { name: "Bob Other", email: "bob@other-tenant.test", password: "bob-password-42" };
test.use({ seed: { workspaces: [{ ...dramaSchool("marketer"), demoData: true }] } });

const switcher = (page: Page, workspace: string) => page.getByRole("button", { name: `Workspace: ${workspace}. Switch workspace` });
const subscriberCount = async (page: Page) =>
  ((await (await page.request.get("/api/v1/dashboard")).json()) as { counts: { subscribers: number } }).counts.subscribers;

async function switchTo(page: Page, from: string, to: string) {
  await switcher(page, from).click();
  await page.getByRole("menuitemradio", { name: new RegExp(`^${to}`) }).click();
  await expect(switcher(page, to)).toBeVisible();
  await expect(page).toHaveURL(/\/dashboard$/);
}

test.describe.configure({ mode: "serial" });

test.describe("workspaces: created in the console, isolated in pages and API", () => {
  test("an admin creates a workspace and switches back and forth with the switcher", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(switcher(page, ADMIN.organisation)).toBeVisible();
    expect(await subscriberCount(page)).toBeGreaterThan(0);

    // keyboard only: open the menu, go to "Create workspace", name it
    await switcher(page, ADMIN.organisation).focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu");
    await expect(menu.getByRole("menuitemradio", { name: new RegExp(`^${ADMIN.organisation}`) })).toHaveAttribute("aria-checked", "true");
    await expect(menu.getByRole("menuitemradio", { name: new RegExp(`^${ADMIN.organisation}`) })).toContainText("Admin");
    await page.keyboard.press("End"); // the last item
    await expect(menu.getByRole("menuitem", { name: "Create workspace" })).toBeFocused();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Create a workspace" });
    await dialog.getByLabel("Workspace name").fill("Other Co");
    await page.keyboard.press("Enter");

    // she is its admin and in it now: an empty workspace that offers the getting-started steps
    await expect(switcher(page, "Other Co")).toBeVisible();
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByTestId("getting-started")).toBeVisible();
    expect(await subscriberCount(page)).toBe(0);
    const me = (await (await page.request.get("/api/v1/me")).json()) as { role: string; tenant: { name: string } };
    expect(me).toMatchObject({ role: "admin", tenant: { name: "Other Co" } });

    await switchTo(page, "Other Co", ADMIN.organisation);
    expect(await subscriberCount(page)).toBeGreaterThan(0);
    await expect(page.getByTestId("getting-started")).toHaveCount(0);

    // and back, with the keyboard (arrow to the other workspace, Enter)
    await switcher(page, ADMIN.organisation).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("menuitemradio", { name: new RegExp(`^${ADMIN.organisation}`) })).toBeFocused();
    await page.keyboard.press("ArrowDown"); // workspaces are listed by name: the drama school, then Other Co
    await expect(page.getByRole("menuitemradio", { name: /^Other Co/ })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(switcher(page, "Other Co")).toBeVisible();
    expect(await subscriberCount(page)).toBe(0);

    // Other Co's first colleague, added in Other Co (the active workspace) as its admin
    const bob = await page.request.post("/api/v1/users", { data: { ...OTHER, role: "admin" } });
    expect(bob.status(), await bob.text()).toBe(201);
    await page.goto("/settings");
    await expect(page.getByRole("cell", { name: OTHER.email })).toBeVisible();
    await expect(page.getByRole("cell", { name: ADMIN.email })).toBeVisible();
    await expect(page.getByRole("cell", { name: MARKETER.email })).toHaveCount(0); // the drama school's only
    await signOut(page);
  });

  test("another workspace's admin gets 404 for our user, in the page and in the API, even with a forged workspace cookie", async ({ page, app }) => {
    const { id: markId, tenantId: schoolId } = app.users[MARKETER.email]!;
    // Alice chose Bob's password: he chooses his own first
    await submitSignIn(page, OTHER.email, OTHER.password);
    await chooseOwnPassword(page, OTHER.password, "bob's own password 1");
    await expect(switcher(page, "Other Co")).toBeVisible();

    // Bob's browser names the drama school as its workspace: he is not a member, so he stays in Other Co
    await page.context().addCookies([{ name: "ct_workspace", value: schoolId, url: app.url, httpOnly: true, sameSite: "Lax" }]);
    for (const path of ["/dashboard", `/settings/users/${markId}`]) {
      const res = await page.goto(path);
      await expect(switcher(page, "Other Co")).toBeVisible();
      if (path !== "/dashboard") {
        expect(res?.status()).toBe(404);
        await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
      }
    }
    await expect(page.getByText(MARKETER.email)).toHaveCount(0);

    const api = await page.request.get(`/api/v1/users/${markId}`);
    expect(api.status()).toBe(404);
    expect((await api.json()).error.code).toBe("not_found");
    expect(await subscriberCount(page)).toBe(0); // the drama school's demo data is invisible here

    // the switcher offers only his own workspace
    await switcher(page, "Other Co").click();
    await expect(page.getByRole("menuitemradio")).toHaveCount(1);
    await expect(page.getByRole("menuitemradio", { name: new RegExp(ADMIN.organisation) })).toHaveCount(0);
  });
  test("an invite to an existing account adds the workspace only after its owner proves the password", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await switchTo(page, ADMIN.organisation, "Other Co");
    await page.goto("/settings");
    await page.getByRole("button", { name: "Invite" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Email").fill(MARKETER.email); // Mark: a marketer of the drama school only
    await dialog.getByRole("button", { name: "Create invite link" }).click(); // role: Manager (the default)
    const link = new URL((await dialog.getByTestId("invite-link").textContent())!);
    await page.keyboard.press("Escape");
    await signOut(page);

    await page.goto(link.pathname);
    await expect(page.getByRole("heading", { name: "Join Other Co" })).toBeVisible();
    await expect(page.getByText("already has a Clicktrail account")).toBeVisible();
    // whoever holds the link cannot choose a name or password for Mark's account, nor guess his password
    await expect(page.getByLabel("Your name")).toHaveCount(0);
    await page.getByLabel("Your password").fill("not-marks-password");
    await page.getByRole("button", { name: "Sign in and join" }).click();
    await expect(page.getByTestId("form-error")).toHaveText("That password is not right");

    await page.getByLabel("Your password").fill(MARKETER.password);
    await page.getByRole("button", { name: "Sign in and join" }).click();
    await expect(switcher(page, "Other Co")).toBeVisible();
    await expect(page).toHaveURL(/\/dashboard$/);
    await switcher(page, "Other Co").click();
    await expect(page.getByRole("menuitemradio", { name: /^Other Co/ })).toContainText("Manager");
    await expect(page.getByRole("menuitemradio", { name: new RegExp(`^${ADMIN.organisation}`) })).toContainText("Marketer");
    // an admin nowhere: no "Create workspace"
    await expect(page.getByRole("menuitem", { name: "Create workspace" })).toHaveCount(0);
  });
});
