// A workspace of a spec's own: on Postgres it is written beside the server (as 03 does), so the spec's
// lists start empty; on PGlite (one process per directory) the spec uses the first admin's workspace,
// running the first-run set-up when the spec runs alone on a fresh server.
import { type Browser, expect } from "@playwright/test";
import { type Db, openDatabase } from "@/db/client";
import { getUserCredentialsByEmail, insertTenant, insertUser } from "@/db/queries";
import { hashPassword } from "@/lib/passwords";
import { ADMIN, signIn } from "./helpers";

export type OwnWorkspace = { email: string; password: string; name: string; tenant: string };

export async function workspaceUser(
  browser: Browser,
  own: OwnWorkspace,
  opts: { seed?: (db: Db, tenantId: string) => Promise<void>; demoData?: boolean } = {},
): Promise<{ email: string; password: string; own: boolean }> {
  const url = process.env.E2E_DATABASE_URL;
  if (url) {
    const handle = await openDatabase({ url, max: 1 });
    try {
      if (!(await getUserCredentialsByEmail(handle.db, own.email))) {
        const tenant = await insertTenant(handle.db, { name: own.tenant });
        await insertUser(handle.db, { tenantId: tenant.id, email: own.email, name: own.name, role: "admin", passwordHash: await hashPassword(own.password) });
        await opts.seed?.(handle.db, tenant.id);
      }
    } finally {
      await handle.close();
    }
    return { email: own.email, password: own.password, own: true };
  }
  const page = await browser.newPage();
  await page.goto("/setup");
  if (page.url().endsWith("/setup")) {
    await page.getByLabel("Organisation").fill(ADMIN.organisation);
    await page.getByLabel("Your name").fill(ADMIN.name);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Confirm password").fill(ADMIN.password);
    if (opts.demoData) await page.getByLabel("Load demo data").check();
    await page.getByRole("button", { name: "Create workspace" }).click();
    await expect(page).toHaveURL(/\/dashboard$/, { timeout: 30_000 });
  } else if (opts.demoData) {
    await signIn(page, ADMIN.email, ADMIN.password);
    const load = page.getByRole("button", { name: "Load demo data" });
    if (await load.isVisible()) {
      await load.click();
      await expect(page.getByText(/Loaded \d+ demo subscribers|Demo data was already loaded/)).toBeVisible({ timeout: 30_000 });
    }
  }
  await page.close();
  return { email: ADMIN.email, password: ADMIN.password, own: false };
}
