import fs from "node:fs";
import type { Download, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ADMIN, dramaSchool, signIn } from "./helpers";

// The demo walked as a visitor would: loaded from Settings, it shows named campaigns, ad sets and ads in the
// attribution report, its ads in Ad details, its ad-attributed subscribers under Source = Ad click and a
// campaign, the names in both CSV exports; then Settings removes it in one step.
const ACTING = "Актёрское мастерство | CTWA | Москва";
const ACTING_ADSET = "Женщины 25–45, Москва, интерес: театр";
const ACTING_AD = "Видео — Казбек о пробном занятии";
const ORATORY = "Ораторское искусство | CTWA | РФ";
const ORATORY_AD = "Видео — Ольга о страхе сцены";

test.use({ seed: { workspaces: [dramaSchool()] } });

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ download: Download; text: string }> {
  const downloading = page.waitForEvent("download");
  await click();
  const download = await downloading;
  return { download, text: fs.readFileSync((await download.path())!, "utf8") };
}

async function pick(page: Page, label: string, option: string) {
  await page.getByLabel(label, { exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

test.describe.serial("the demo", () => {
  test.beforeEach(async ({ page }) => signIn(page, ADMIN.email, ADMIN.password));

  test("loads from Settings, every demo number marked Demo", async ({ page }) => {
    await page.goto("/settings");
    const section = page.locator("[data-slot=card]").filter({ has: page.getByRole("heading", { name: "Demo data" }) });
    await section.getByRole("button", { name: "Load demo data" }).click();
    await expect(page.getByText(/Loaded 300 demo subscribers/)).toBeVisible({ timeout: 30_000 });
    await expect(section.getByRole("button", { name: "Remove demo data" })).toBeVisible();
    await page.goto("/numbers");
    await expect(page.getByTestId("number-row")).toHaveCount(3);
    await expect(page.getByTestId("demo-badge")).toHaveCount(3);
  });

  test("the attribution report names campaigns, ad sets and ads, filters by campaign, and downloads the names", async ({ page }) => {
    await page.goto("/attribution");
    await expect(page.getByRole("cell", { name: ACTING, exact: true })).toBeVisible();
    await expect(page.getByRole("cell", { name: ACTING_ADSET, exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: ACTING_AD })).toBeVisible();
    await expect(page.getByText("Not enriched yet")).toHaveCount(0);
    await expect(page.getByText("Ad set not known yet")).toHaveCount(0);
    // events in words, a totals row, sortable columns, and Meta's expired creative links as a neutral placeholder
    await expect(page.getByRole("columnheader", { name: /LeadSubmitted|InitiateCheckout/ })).toHaveCount(0);
    await expect(page.getByTestId("total-row")).toContainText("Total");
    await page.getByRole("button", { name: "Campaign / ad set / ad" }).click();
    await expect(page.getByRole("columnheader", { name: "Campaign / ad set / ad" })).toHaveAttribute("aria-sort", "ascending");
    await expect(page.getByTestId("creative-placeholder").first()).toBeVisible();

    await pick(page, "Campaign", ORATORY);
    await expect(page).toHaveURL(/campaign=120210553870433391/);
    await expect(page.getByRole("cell", { name: ORATORY, exact: true })).toBeVisible();
    await expect(page.getByRole("cell", { name: ACTING, exact: true })).toHaveCount(0);
    const { download, text } = await downloaded(page, () => page.getByRole("link", { name: "Download CSV" }).click());
    expect(download.suggestedFilename()).toMatch(/^attribution-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(text).toContain(`campaign,120210553870433391,${ORATORY},`);
    expect(text).toContain(ORATORY_AD);
    expect(text).not.toContain(ACTING);
  });

  test("Ad details lists the demo ads with their names", async ({ page }) => {
    await page.goto("/attribution");
    await page.getByRole("link", { name: "Ad details" }).click();
    await expect(page.getByTestId("ad-row")).toHaveCount(8);
    await expect(page.getByText("No ads seen yet")).toHaveCount(0);
    await expect(page.getByTestId("ad-row").filter({ hasText: ACTING_AD })).toContainText(ACTING);
    await expect(page.getByTestId("ad-row").filter({ hasText: "Fetched" })).toHaveCount(8);
  });

  test("the dashboard compares a period with the one before and ranks the demo's campaigns", async ({ page }) => {
    await page.goto("/dashboard");
    await page.getByRole("link", { name: "90 days", exact: true }).click();
    await expect(page).toHaveURL(/days=90/);
    await expect(page.getByRole("link", { name: "90 days", exact: true })).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("figure-conversations")).toContainText("previous 90 days");
    const top = page.getByTestId("top-campaigns-conversations");
    await expect(top).toContainText(/Актёрское мастерство|Ораторское искусство/);
    await top.getByRole("link").first().click();
    await expect(page).toHaveURL(/\/attribution\?from=.*campaign=/);
  });

  test("subscribers filter by Source = Ad click and by campaign, and export the names", async ({ page }) => {
    await page.goto("/subscribers");
    await pick(page, "Source", "Ad click");
    await expect(page).toHaveURL(/source=ad/);
    const rows = page.getByTestId("subscriber-row");
    await expect(rows.first()).toBeVisible();
    await pick(page, "Campaign", ACTING);
    await expect(page).toHaveURL(/campaign=120210553870420187/);
    await expect(rows.first()).toContainText(ACTING);
    const shown = await rows.count();
    expect(shown).toBeGreaterThan(0);
    for (let i = 0; i < shown; i++) await expect(rows.nth(i)).toContainText(ACTING);

    const { text } = await downloaded(page, () => page.getByRole("link", { name: "Export CSV" }).click());
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toContain("first_touch_campaign");
    expect(lines.length - 1).toBeGreaterThanOrEqual(shown);
    for (const line of lines.slice(1)) {
      expect(line).toContain(",ad,");
      expect(line).toContain(ACTING);
    }
  });

  test("Settings removes the demo in one step, and it is gone", async ({ page }) => {
    await page.goto("/settings");
    await page.getByRole("button", { name: "Remove demo data" }).click();
    const dialog = page.getByRole("alertdialog");
    await expect(dialog).toContainText("3 demo numbers");
    await expect(dialog).toContainText("300 subscribers");
    await expect(dialog).toContainText("8 ads");
    await dialog.getByRole("button", { name: "Remove demo data" }).click();
    await expect(page.getByText(/Removed 300 demo subscribers and 3 demo numbers/)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("button", { name: "Load demo data" })).toBeVisible();

    const dashboard = await (await page.request.get("/api/v1/dashboard")).json();
    expect(dashboard.counts).toMatchObject({ numbers: 0, subscribers: 0, queuePending: 0, conversionsSent: 0 });
    await page.goto("/attribution/ads");
    await expect(page.getByText("No ads seen yet")).toBeVisible();
    await page.goto("/numbers");
    await expect(page.getByTestId("number-row")).toHaveCount(0);
  });
});
