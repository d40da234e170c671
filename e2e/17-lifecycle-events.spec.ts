import type { APIRequestContext, Page } from "@playwright/test";
import { fakeWamid, inboundMessage, type PayloadReferral } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { expect, test } from "./fixtures";
import { ADMIN, SALES_LINE, dramaSchool, fakeSalesLine, signIn } from "./helpers";

// Lifecycle stages report themselves to Meta, as issue 23 point 2 walks them: an admin maps Customer → Purchase
// (default 100 USD) in Settings; moving someone who wrote after clicking a Click-to-WhatsApp ad to Customer asks
// for this sale's value, sends exactly one Purchase with it through the Conversions API (a stable lifecycle:… event
// id, their click id), which shows in Conversions ("Lifecycle stage") and on their timeline; moving them back to
// Lead and to Customer again sends nothing more; someone who never clicked an ad is told why nothing was sent.
const NUMBER = { phoneNumberId: SALES_LINE.phoneNumberId, displayPhoneNumber: SALES_LINE.displayPhoneNumber, wabaId: SALES_LINE.wabaId };
const DATASET_ID = "771100000001701";
const CLICK_ID = "ARAe2eLifecycleClick1701";
const AD_CLICKER = { waId: "16505551701", name: "Lina Lifecycle" };
const NO_AD = { waId: "16505551702", name: "Otto Organic" };
const REFERRAL: PayloadReferral = {
  sourceType: "ad",
  sourceId: "120210000000001701",
  sourceUrl: "https://fb.me/e2e-lifecycle",
  headline: "Summer stage school",
  body: "Six weeks, one show",
  mediaType: "image",
  mediaUrl: "https://scontent.xx.fbcdn.net/v/lifecycle.jpg",
  ctwaClid: CLICK_ID,
};

test.use({ seed: { workspaces: [dramaSchool()] } });

async function postSigned(request: APIRequestContext, payload: unknown) {
  const body = JSON.stringify(payload);
  const res = await request.post("/api/webhooks/whatsapp", {
    data: body,
    headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, SALES_LINE.appSecret) },
  });
  expect(res.status()).toBe(200);
}

/** The subscriber's page, from the Subscribers list; returns their id. */
async function openSubscriber(page: Page, name: string): Promise<string> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Subscribers" }).click();
  await page.getByTestId("subscriber-row").filter({ hasText: name }).getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/subscribers\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop()!;
}

const stageSelect = (page: Page) => page.getByRole("combobox", { name: "Lifecycle stage" });

async function chooseStage(page: Page, stage: "Lead" | "Customer") {
  await expect(stageSelect(page)).toBeEnabled();
  await stageSelect(page).click();
  await page.getByRole("option", { name: stage, exact: true }).click();
}

/** The toast whose text holds `text` (sonner: title and description in one list item). */
const toastWith = (page: Page, text: string) => page.locator("[data-sonner-toast]").filter({ hasText: text });

/** The CAPI events the fake Graph accepted, flattened, with the dataset they came to. */
const capiEvents = (graph: { capiDeliveries: Array<{ datasetId: string; body: Record<string, unknown> }> }) =>
  graph.capiDeliveries.flatMap((d) =>
    ((d.body.data as Record<string, unknown>[]) ?? []).map((e): Record<string, unknown> => ({ datasetId: d.datasetId, ...e })),
  );

test.describe.serial("lifecycle events", () => {
  test.beforeAll(async ({ browser, graph }) => {
    fakeSalesLine(graph);
    graph.addDataset({ wabaId: SALES_LINE.wabaId, token: SALES_LINE.token, datasetId: DATASET_ID });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ADMIN.email, ADMIN.password);
    // the sales line, with its Conversions API dataset
    const res = await context.request.post("/api/v1/numbers", {
      data: {
        provider: "cloud",
        label: SALES_LINE.label,
        phoneE164: SALES_LINE.phone,
        phoneNumberId: SALES_LINE.phoneNumberId,
        wabaId: SALES_LINE.wabaId,
        accessToken: SALES_LINE.token,
        appSecret: SALES_LINE.appSecret,
        datasetId: DATASET_ID,
      },
    });
    expect(res.status(), await res.text()).toBe(201);

    // one person writes after clicking a Click-to-WhatsApp ad, another just writes
    const at = Date.now();
    await postSigned(
      context.request,
      inboundMessage(NUMBER, {
        from: AD_CLICKER,
        wamid: fakeWamid(`e2e-lifecycle-ad-${at}`),
        at: new Date(at - 2_000),
        text: "Hi! Is there room in the summer school?",
        referral: REFERRAL,
      }),
    );
    await postSigned(
      context.request,
      inboundMessage(NUMBER, { from: NO_AD, wamid: fakeWamid(`e2e-lifecycle-organic-${at}`), at: new Date(at - 1_000), text: "Hello, what are your prices?" }),
    );
    await expect
      .poll(async () => ((await (await context.request.get("/api/v1/subscribers")).json()) as { rows: unknown[] }).rows.length, { timeout: 20_000 })
      .toBe(2);
    await context.close();
  });

  test("an admin maps Customer to Purchase with a default value of 100 USD", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto("/settings");
    const form = page.getByRole("form", { name: "Lifecycle events" });
    await expect(form).toBeVisible();
    const customer = form.getByRole("group", { name: "Customer", exact: true });
    await customer.getByRole("combobox", { name: "Customer" }).click();
    await page.getByRole("option", { name: "Purchase", exact: true }).click();

    // a Purchase needs its default value and currency
    await form.getByRole("button", { name: "Save" }).click();
    await expect(customer.getByText("A Purchase needs a default value")).toBeVisible();
    await expect(customer.getByText("A Purchase needs a currency, e.g. USD")).toBeVisible();

    await customer.getByLabel("Default value").fill("100");
    await customer.getByLabel("Currency").fill("usd");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(toastWith(page, "Lifecycle events saved")).toBeVisible();

    // it was stored: a reload shows the map as saved (the currency in capitals)
    await page.reload();
    const saved = page.getByRole("form", { name: "Lifecycle events" }).getByRole("group", { name: "Customer", exact: true });
    await expect(saved.getByRole("combobox", { name: "Customer" })).toHaveText("Purchase");
    await expect(saved.getByLabel("Default value")).toHaveValue("100");
    await expect(saved.getByLabel("Currency")).toHaveValue("USD");
    await expect(page.getByRole("form", { name: "Lifecycle events" }).getByRole("group", { name: "Prospect" }).getByRole("combobox")).toHaveText(
      "Send nothing",
    );
  });

  test("moving the ad clicker to Customer sends one Purchase with the value entered, and moving again sends nothing more", async ({ page, graph }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const subscriberId = await openSubscriber(page, AD_CLICKER.name);
    await expect(page.getByTestId("referral").first().getByTestId("click-id")).toHaveText(CLICK_ID);
    await expect(stageSelect(page)).toHaveText("Lead");

    // Customer carries a value: the dialog asks for this sale's, the default shown
    await chooseStage(page, "Customer");
    const dialog = page.getByRole("dialog", { name: "Move to customer?" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("This sends Purchase to Meta for their latest ad conversation.");
    await expect(dialog).toContainText(/Leave the value empty to send the default, (US)?\$100\./);
    await expect(dialog.getByLabel("Value (optional)")).toHaveValue("");
    await expect(dialog.getByLabel("Value (optional)")).toHaveAttribute("placeholder", "100");
    await expect(dialog.getByLabel("Currency")).toHaveValue("USD");
    await dialog.getByLabel("Value (optional)").fill("250");
    await dialog.getByRole("button", { name: "Move and send" }).click();

    await expect(dialog).toBeHidden();
    const sent = toastWith(page, `${AD_CLICKER.name} is now a customer`).filter({ hasText: "Purchase sent to Meta" });
    await expect(sent).toBeVisible();
    await expect(sent).toHaveAttribute("data-type", "success");
    await expect(stageSelect(page)).toHaveText("Customer");

    // exactly one Purchase reaches Meta, for their ad click, with the value entered and a stable lifecycle event id
    await expect.poll(() => capiEvents(graph).length, { timeout: 20_000 }).toBe(1);
    const [event] = capiEvents(graph);
    expect(event).toMatchObject({
      datasetId: DATASET_ID,
      event_name: "Purchase",
      action_source: "business_messaging",
      messaging_channel: "whatsapp",
      user_data: { whatsapp_business_account_id: SALES_LINE.wabaId, ctwa_clid: CLICK_ID },
      custom_data: { value: 250, currency: "USD" },
    });
    const eventId = String(event!.event_id);
    expect(eventId).toMatch(new RegExp(`^lifecycle:${subscriberId}:customer:[0-9a-f-]{36}$`));
    expect(graph.capiDeliveries[0]!.token).toBe(SALES_LINE.token);

    // their timeline shows it
    await page.reload();
    // money in the browser's locale (components/console/formatted.tsx): "$250" in en-US, "US$250" in en-GB
    await expect(page.getByTestId("timeline")).toContainText(/Conversion Purchase · (US)?\$250 · stage changed to customer/);

    // back to Lead (no event: everyone starts there), then Customer again: already sent for this ad conversation
    await chooseStage(page, "Lead");
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(toastWith(page, `${AD_CLICKER.name} is now a lead`)).toBeVisible();
    await expect(stageSelect(page)).toHaveText("Lead");

    await chooseStage(page, "Customer");
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Move and send" }).click(); // empty: the default, 100 USD
    await expect(dialog).toBeHidden();
    await expect(
      toastWith(page, `${AD_CLICKER.name} is now a customer`).filter({
        hasText: "Purchase was already sent to Meta for this ad conversation (Customer), so it is not sent again",
      }),
    ).toBeVisible();
    await expect(stageSelect(page)).toHaveText("Customer");

    // Conversions lists it once, from the lifecycle stage, sent
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Conversions" }).click();
    await expect(page).toHaveURL(/\/conversions$/);
    const rows = page.getByTestId("conversion-row").filter({ hasText: AD_CLICKER.name });
    await expect(rows).toHaveCount(1);
    await expect(rows).toContainText("Purchase");
    await expect(rows).toContainText(/(US)?\$250/);
    await expect(rows).toContainText("Lifecycle stage");
    await expect(rows).toContainText(SALES_LINE.label);
    await expect(rows.getByTestId("conversion-status")).toHaveText("Sent");
    await expect(page.getByTestId("conversion-row")).toHaveCount(1);

    await rows.getByRole("link", { name: /Purchase received/ }).click();
    await expect(page.getByTestId("event-id")).toHaveText(eventId);
    await expect(page.getByTestId("click-id")).toHaveText(CLICK_ID);
    await expect(page.getByText("Lifecycle stage (a subscriber moved to a stage mapped in Settings)").first()).toBeVisible();

    // and Meta still holds that one event: the second move queued nothing (no conversion row, so no job)
    expect(capiEvents(graph).filter((e) => e.event_name === "Purchase")).toHaveLength(1);
    expect(graph.capiDeliveries).toHaveLength(1);
  });

  test("moving someone who never clicked an ad to Customer explains why nothing was sent", async ({ page, graph }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await openSubscriber(page, NO_AD.name);
    await chooseStage(page, "Customer");
    const dialog = page.getByRole("dialog", { name: "Move to customer?" });
    await dialog.getByRole("button", { name: "Move and send" }).click();
    await expect(dialog).toBeHidden();
    const skipped = toastWith(page, `${NO_AD.name} is now a customer`);
    await expect(skipped).toContainText("Purchase not sent to Meta: no ad click to attribute it to (they never wrote after clicking a Click-to-WhatsApp ad)");
    await expect(skipped).toHaveAttribute("data-type", "warning");
    await expect(stageSelect(page)).toHaveText("Customer");

    // nothing reached Conversions for them, and Meta still holds only the ad clicker's Purchase
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Conversions" }).click();
    await expect(page).toHaveURL(/\/conversions$/);
    await expect(page.getByTestId("conversion-row")).toHaveCount(1);
    await expect(page.getByTestId("conversion-row").filter({ hasText: NO_AD.name })).toHaveCount(0);
    expect(graph.capiDeliveries).toHaveLength(1);
  });
});
