import { expect, test } from "@playwright/test";
import { openDatabase } from "@/db/client";
import { getUserCredentialsByEmail, insertTenant, insertUser } from "@/db/queries";
import { hashPassword } from "@/lib/passwords";
import { ADMIN, signIn } from "./helpers";

// A second tenant can only be written beside the running server on Postgres (PGlite allows
// one process per data directory), so this spec needs TEST_DATABASE_URL; CI always sets it.
const url = process.env.E2E_DATABASE_URL;
const OTHER = { email: "bob@other-tenant.test", password: "bob-password-42" };

test.describe("tenant isolation in pages and API", () => {
  test.skip(!url, "needs Postgres (TEST_DATABASE_URL) to seed a second tenant beside the server");

  test("another tenant's admin gets 404 for our user, in the page and in the API", async ({ page }) => {
    const handle = await openDatabase({ url: url!, max: 1 });
    let aliceId: string;
    try {
      aliceId = (await getUserCredentialsByEmail(handle.db, ADMIN.email))!.id;
      const tenant = await insertTenant(handle.db, { name: "Other Co" });
      await insertUser(handle.db, { tenantId: tenant.id, email: OTHER.email, name: "Bob Other", role: "admin", passwordHash: await hashPassword(OTHER.password) });
    } finally {
      await handle.close();
    }
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
