import type { Page } from "@playwright/test";
import type { Db } from "@/db/client";
import { insertNumber } from "@/db/queries";
import { templates } from "@/db/schema";
import { expect, test } from "./fixtures";
import { signIn } from "./helpers";

// Leads and the drip (seeds/003): a lead posted by a website form with an API key, opened in the console,
// "Called" → "Target and interested?" Yes queues its drip messages, "Stop campaign" cancels them. Also the
// New lead form's inline errors and "No answer".

const user = { email: "lena-admin@e2e-leads.test", password: "lena-password-42", name: "Lena Admin" };
const run = Date.now().toString(36);
const phone = (n: number) =>
  `+7 900 ${String(Date.now() % 1000).padStart(3, "0")}-${String(n).padStart(2, "0")}-${String(Math.floor(Math.random() * 90) + 10)}`;

// A workspace of its own, written before its server starts, with drip templates and a Green API number.
async function seedLeads(db: Db, tenantId: string) {
  await insertNumber(db, { tenantId, label: "Drip line", phoneE164: "+79005550909", provider: "green", verifyToken: `e2e-leads-${run}` });
  await db.insert(templates).values([
    { tenantId, name: "welcome", title: "Приветствие", content: "Здравствуйте, {{name}}!", delayDays: 0 },
    { tenantId, name: "day1_acting", title: "Прогрев: актёрское мастерство — День 1", content: "День 1", delayDays: 1, segment: "acting" },
    { tenantId, name: "day1_oratory", title: "Прогрев: ораторское искусство — День 1", content: "День 1", delayDays: 1, segment: "oratory" },
    { tenantId, name: "day3", title: "История успеха ученика", content: "День 3", delayDays: 3 },
    { tenantId, name: "day7", title: "Последнее предложение", content: "День 7", delayDays: 7 },
  ]);
}

test.use({ seed: { workspaces: [{ organisation: "Leads Co", users: [{ ...user, role: "admin" }], seed: seedLeads }] } });

/** An API key made in Settings, as the website's developer would. */
async function createApiKey(page: Page): Promise<string> {
  await page.goto("/settings");
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("dialog").getByLabel("Name").fill(`Website form ${run}`);
  await page.getByRole("dialog").getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-api-key").textContent())!.trim();
  await page.getByRole("button", { name: "I have stored it" }).click();
  return secret;
}

test.describe.serial("leads", () => {
  let key = "";

  test.beforeAll(async ({ browser }) => {
    const page = await browser.newPage();
    await signIn(page, user.email, user.password);
    key = await createApiKey(page);
    await page.close();
  });

  test("a website lead is called, answered Yes, gets its drip queued, and the campaign is stopped", async ({ page, playwright, baseURL }) => {
    await signIn(page, user.email, user.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Leads" }).click();
    await expect(page.getByRole("heading", { name: "Leads", level: 1 })).toBeVisible();
    // nothing yet: the page shows how a website form hands a lead over
    const empty = page.getByTestId("leads-empty");
    await expect(empty).toContainText("No leads yet");
    await expect(empty.getByTestId("website-form-curl")).toContainText("curl -X POST http://127.0.0.1:");
    await expect(empty.getByTestId("website-form-curl")).toContainText("/api/v1/leads");
    await expect(empty.getByTestId("website-form-curl")).toContainText("Authorization: Bearer $CLICKTRAIL_API_KEY");

    // the website form posts the lead; posting the same submission again answers with the first lead
    const name = `Zarina ${run}`;
    const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
    const body = { name, phone: phone(1), segment: "acting", source: "website", externalRef: `form-${run}` };
    const created = await api.post("/api/v1/leads", { data: body });
    expect(created.status(), await created.text()).toBe(201);
    const lead = await created.json();
    expect(lead).toMatchObject({ name, segment: "acting", callStatus: "not_called", isTarget: null, campaignActive: false, duplicate: false });
    expect(lead.numberId).not.toBeNull();
    const again = await api.post("/api/v1/leads", { data: body });
    expect(again.status()).toBe(200);
    expect(await again.json()).toMatchObject({ id: lead.id, duplicate: true });
    const bad = await api.post("/api/v1/leads", { data: { name, phone: "12" } });
    expect(bad.status()).toBe(422);
    expect((await bad.json()).error.message).toContain("Not a valid phone number");

    // it is in the list, not called yet; open it
    await page.goto(`/leads?q=${encodeURIComponent(name)}`);
    const row = page.getByTestId("lead-row").filter({ hasText: name });
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId("call-status")).toHaveText("Not called");
    await row.getByRole("link", { name }).click();
    await expect(page).toHaveURL(new RegExp(`/leads/${lead.id}$`));
    await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
    await expect(page.getByText("No messages yet")).toBeVisible();

    // "Called" → "Target and interested?" → Yes (the keyboard way: Yes has the focus)
    await page.getByRole("button", { name: "Called" }).click();
    const dialog = page.getByRole("dialog", { name: "Target and interested?" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Yes, target and interested" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByText(/Campaign started: \d+ WhatsApp messages? queued\./)).toBeVisible();
    await expect(dialog).toHaveCount(0);
    const queued = Number((await page.getByText(/Campaign started/).textContent())!.match(/(\d+) WhatsApp/)![1]);
    expect(queued).toBeGreaterThan(0);

    const messages = page.getByTestId("drip-message");
    await expect(messages).toHaveCount(queued);
    for (const status of await messages.getByTestId("message-status").all()) await expect(status).toHaveText("Pending");
    await expect(messages.first()).toContainText("welcome");
    await expect(page.getByTestId("campaign").first()).toHaveText("Running");
    await expect(page.getByTestId("target").first()).toHaveText("Target");
    await expect(page.getByTestId("call-status").first()).toHaveText("Called");

    // the list counts its queue
    await page.goto(`/leads?q=${encodeURIComponent(name)}&campaignActive=true`);
    await expect(page.getByTestId("lead-row").filter({ hasText: name }).getByTestId("queue-summary")).toHaveText(`${queued} pending`);
    await page.getByTestId("lead-row").filter({ hasText: name }).getByRole("link", { name }).click();

    // "Stop campaign" asks first; confirming cancels every pending message
    await page.getByRole("button", { name: "Stop campaign" }).click();
    const confirm = page.getByRole("alertdialog");
    await expect(confirm).toContainText(`Stop the campaign for ${name}?`);
    await confirm.getByRole("button", { name: "Stop campaign" }).click();
    await expect(page.getByText(`Campaign stopped: ${queued} pending message${queued === 1 ? "" : "s"} cancelled.`)).toBeVisible();
    await expect(page.getByTestId("campaign").first()).toHaveText("Stopped");
    await expect(page.getByRole("button", { name: "Stop campaign" })).toHaveCount(0);
    for (const status of await messages.getByTestId("message-status").all()) await expect(status).toHaveText("Cancelled");
    await expect(messages.first().getByTestId("message-error")).toContainText("campaign_stopped");

    const detail = await (await api.get(`/api/v1/leads/${lead.id}`)).json();
    expect(detail).toMatchObject({ callStatus: "called", isTarget: true, campaignActive: false });
    expect(detail.messages.map((m: { status: string }) => m.status)).toEqual(Array(queued).fill("cancelled"));
    await api.dispose();
  });

  test("the New lead form checks its fields, and No answer is only recorded", async ({ page }) => {
    await signIn(page, user.email, user.password);
    await page.goto("/leads");
    await page.getByRole("link", { name: "New lead" }).first().click();
    await expect(page).toHaveURL(/\/leads\/new$/);
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByText("Enter the person's name")).toBeVisible();
    await expect(page.getByText("Enter the phone number")).toBeVisible();
    await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");

    const name = `Timur ${run}`;
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Phone").fill("12");
    await page.getByLabel("Segment").fill("oratory");
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByText("Not a valid phone number: include the country code, e.g. +7 900 123-45-67")).toBeVisible();
    await page.getByLabel("Phone").fill(phone(2));
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page).toHaveURL(/\/leads\/[0-9a-f-]{36}$/);
    await expect(page.getByText("Lead saved. Call them and record the outcome here.")).toBeVisible();
    await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "No answer" }).click();
    await expect(page.getByText("Recorded: no answer. Try again later.")).toBeVisible();
    await expect(page.getByTestId("call-status").first()).toHaveText("No answer");
    await expect(page.getByTestId("campaign").first()).toHaveText("Not started");
    await expect(page.getByTestId("drip-message")).toHaveCount(0);

    // Called → No: recorded as not interested, nothing is queued
    await page.getByRole("button", { name: "Called" }).click();
    await page.getByRole("dialog", { name: "Target and interested?" }).getByRole("button", { name: "No, not interested" }).click();
    await expect(page.getByText(`Recorded: ${name} is not interested.`)).toBeVisible();
    await expect(page.getByTestId("target").first()).toHaveText("Not target");
    await expect(page.getByTestId("drip-message")).toHaveCount(0);

    await page.goto("/leads?isTarget=no");
    await expect(page.getByTestId("lead-row").filter({ hasText: name })).toHaveCount(1);
  });
});
