import { expect, test } from "./fixtures";
import { ADMIN, dramaSchool, signIn } from "./helpers";

// Two workspaces on one server, both written before it starts: the drama school (with the demo data) and
// another tenant whose admin must see none of it.
const OTHER = { name: "Bob Other", email: "bob@other-tenant.test", password: "bob-password-42" };
test.use({
  seed: { workspaces: [{ ...dramaSchool(), demoData: true }, { organisation: "Other Co", users: [{ ...OTHER, role: "admin" }] }] },
});

test.describe("tenant isolation in pages and API", () => {
  test("another tenant's admin gets 404 for our user, in the page and in the API", async ({ page, app }) => {
    const aliceId = app.users[ADMIN.email]!.id;
    await signIn(page, OTHER.email, OTHER.password);
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByText("Other Co").first()).toBeVisible();

    const res = await page.goto(`/settings/users/${aliceId}`);
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByText(ADMIN.email)).toHaveCount(0);

    const api = await page.request.get(`/api/v1/users/${aliceId}`);
    expect(api.status()).toBe(404);
    expect((await api.json()).error.code).toBe("not_found");
    const dashboard = await (await page.request.get("/api/v1/dashboard")).json();
    expect(dashboard.counts.subscribers).toBe(0); // tenant A's demo data is invisible here
  });
});
