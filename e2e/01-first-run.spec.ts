import { expect, test } from "./fixtures";
import { ADMIN, chooseOwnPassword, MARKETER, signIn, signOut, submitSignIn } from "./helpers";

// One story on a fresh console of its own (no seed): first-run setup → sign in → dashboard → roles.
test.describe.serial("first run, sign-in and roles", () => {
  test("a fresh console sends the newcomer to setup, which validates inline and lands on the dashboard", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/setup$/);
    await expect(page.getByRole("heading", { name: "Welcome to Clicktrail" })).toBeVisible();

    await page.getByLabel("Organisation").fill(ADMIN.organisation);
    await page.getByLabel("Your name").fill(ADMIN.name);
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Confirm password").fill("different");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await expect(page.getByText("Enter a valid email address")).toBeVisible();
    await expect(page.getByText("Use at least 10 characters")).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");

    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Confirm password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create workspace" }).click();

    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    await expect(page.getByText("No WhatsApp number connected yet")).toBeVisible();
    await expect(page.getByText(ADMIN.organisation).first()).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" })).toBeVisible();
  });

  test("setup is closed for good once the first admin exists", async ({ page }) => {
    await page.goto("/setup");
    await expect(page).toHaveURL(/\/login$/);
  });

  test("signing out ends the session and protected pages send you to sign in", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await signOut(page);
    await page.goto("/dashboard");
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/login$/);
  });

  test("a wrong password shows one clear error and no hint which part was wrong", async ({ page }) => {
    await submitSignIn(page, ADMIN.email, "not-the-password");
    await expect(page.getByTestId("form-error")).toHaveText("Incorrect email or password.");
    await expect(page).toHaveURL(/\/login$/);
    await submitSignIn(page, "nobody@e2e.test", "not-the-password");
    await expect(page.getByTestId("form-error")).toHaveText("Incorrect email or password.");
  });

  test("an admin adds a marketer, who must choose their own password, then cannot open admin Settings", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole("link", { name: "Settings" }).first().click();
    await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
    await page.getByRole("button", { name: "Add user" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill(MARKETER.name);
    await dialog.getByLabel("Email").fill(MARKETER.email);
    await dialog.getByLabel("Initial password").fill(MARKETER.password);
    await dialog.getByRole("combobox").click();
    await page.getByRole("option", { name: /Marketer/ }).click();
    await dialog.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByRole("cell", { name: MARKETER.email })).toBeVisible();
    await signOut(page);

    // the admin knows the password they set: the marketer lands on the Account page, which says why
    await submitSignIn(page, MARKETER.email, MARKETER.password);
    await expect(page).toHaveURL(/\/account\?required=password$/);
    await expect(page.getByRole("heading", { name: "Your account", level: 1 })).toBeVisible();
    await expect(page.getByTestId("password-change-required")).toContainText("An admin set the password you signed in with");
    // every other page, and the API with this session, waits for the change
    await page.goto("/subscribers");
    await expect(page).toHaveURL(/\/account\?required=password$/);
    const held = await page.request.get("/api/v1/me");
    expect(held.status()).toBe(403);
    expect((await held.json()).error.code).toBe("password_change_required");
    // a wrong current password is refused inline
    await page.getByLabel("Current password").fill("not-the-password");
    await page.getByLabel("New password", { exact: true }).fill("mark's own password");
    await page.getByLabel("Confirm new password").fill("mark's own password");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("This is not your current password")).toBeVisible();
    await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
    await chooseOwnPassword(page, MARKETER.password, "mark's own password");
    await expect(page.getByText("Subscribers").first()).toBeVisible();
    // the Account page stays one click away in the user menu: email, and the workspace with the role
    await page.getByRole("button", { name: "Account menu" }).first().click();
    await page.getByRole("menuitem", { name: "Your account" }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByText(MARKETER.email).first()).toBeVisible();
    await expect(page.getByRole("list", { name: "Your workspaces" })).toContainText(ADMIN.organisation);
    await expect(page.getByRole("list", { name: "Your workspaces" })).toContainText("Marketer");
    await expect(page.getByTestId("password-change-required")).toHaveCount(0);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" })).toHaveCount(0);
    const response = await page.goto("/settings");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don’t have access to this page" })).toBeVisible();
    // the admin API refuses the marketer's session too
    const api = await page.request.get("/api/v1/users");
    expect(api.status()).toBe(403);
    expect((await api.json()).error.code).toBe("forbidden");
  });
});
