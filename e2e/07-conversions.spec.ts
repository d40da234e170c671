import type { APIRequestContext, Page } from "@playwright/test";
import { fakeWamid, inboundMessage } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { graphError } from "./fakes/fake-graph";
import { expect, test } from "./fixtures";
import { signIn } from "./helpers";

// Conversions in the console: a number's dataset set up from its page, a test event sent from the form
// and followed to `sent` (checked in what the fake Graph received), and a rejected event retried.
const SECRET = "e2e-capi-app-secret";
const A = {
  label: "CAPI sales line",
  phone: "+1 555 078 7001",
  display: "15550787001",
  phoneNumberId: "106540352247001",
  wabaId: "102290129347001",
  token: "EAAG-capi-a-7a7a",
  datasetId: "771100000000001",
};
const B = { label: "CAPI new line", phone: "+1 555 078 7002", phoneNumberId: "106540352247002", wabaId: "102290129347002", token: "EAAG-capi-b-7b7b" };
const C = { label: "CAPI unready line", phone: "+1 555 078 7003", phoneNumberId: "106540352247003", wabaId: "102290129347003", token: "EAAG-capi-c-7c7c" };
const CUSTOMER = { waId: "16505550701", name: "Cora Converts" };
const CLICK_ID = "ARAe2eCapiClick0701";
const TEST_CODE = "TEST70701";

// a workspace of its own, written before its server starts: its conversions log starts empty
const user = { email: "cora-admin@e2e-conversions.test", password: "cora-password-42", name: "Cora Admin" };
test.use({ seed: { workspaces: [{ organisation: "Conversions Co", users: [{ ...user, role: "admin" }] }] } });

async function connect(api: APIRequestContext, n: typeof A | typeof B, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api.post("/api/v1/numbers", {
    data: {
      provider: "cloud",
      label: n.label,
      phoneE164: n.phone,
      phoneNumberId: n.phoneNumberId,
      wabaId: n.wabaId,
      accessToken: n.token,
      appSecret: SECRET,
      ...extra,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).number.id;
}

test.describe.serial("conversions", () => {
  const ids = { a: "", b: "", c: "" };

  test.beforeAll(async ({ browser, graph }) => {
    for (const n of [A, B, C])
      graph.addPhoneNumber({ id: n.phoneNumberId, token: n.token, display_phone_number: n.phone, verified_name: "E2E Conversions", quality_rating: "GREEN" });
    graph.addDataset({ wabaId: A.wabaId, token: A.token, datasetId: A.datasetId });

    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, user.email, user.password);
    ids.a = await connect(context.request, A, { datasetId: A.datasetId });
    ids.c = await connect(context.request, C);
    ids.b = await connect(context.request, B);
    await context.close();
  });

  const open = async (page: Page) => signIn(page, user.email, user.password);

  test("a manager fetches and creates a number's dataset from its page, then turns on automatic LeadSubmitted", async ({ page, graph }) => {
    await open(page);
    await page.goto(`/numbers/${ids.b}`);
    const card = page.getByTestId("conversions-api-card");
    await expect(card.getByTestId("dataset-missing")).toBeVisible();
    const auto = card.getByRole("switch", { name: /Send LeadSubmitted automatically/ });
    await expect(auto).toBeDisabled();

    // Meta does not know this WABA's dataset edge yet: its error is shown as Meta wrote it
    await card.getByRole("button", { name: "Fetch from Meta" }).click();
    await expect(card.getByTestId("dataset-error")).toContainText(`Object with ID '${B.wabaId}' does not exist`);

    graph.addDataset({ wabaId: B.wabaId, token: B.token });
    await card.getByRole("button", { name: "Fetch from Meta" }).click();
    await expect(card.getByText("This WhatsApp Business Account has no dataset yet; create one.")).toBeVisible();
    await expect(card.getByTestId("dataset-error")).toHaveCount(0);
    await card.getByRole("button", { name: "Create dataset" }).click();
    await expect(card.getByTestId("dataset-id")).toHaveText(/^\d{15}$/);
    const datasetId = (await card.getByTestId("dataset-id").textContent())!;
    expect(graph.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/${B.wabaId}/dataset`))).toHaveLength(1);
    await expect(card.getByRole("button", { name: "Create dataset" })).toHaveCount(0);

    await expect(auto).toBeEnabled();
    await expect(auto).toHaveAttribute("aria-checked", "false");
    await auto.click();
    await expect(page.getByText("LeadSubmitted is now sent automatically for new ad conversations")).toBeVisible();
    const number = await (await page.request.get(`/api/v1/numbers/${ids.b}`)).json();
    expect(number).toMatchObject({ datasetId, autoLeadSubmitted: true });
    await page.reload();
    await expect(page.getByRole("switch", { name: /Send LeadSubmitted automatically/ })).toHaveAttribute("aria-checked", "true");
  });

  test("a test event sent from the console reaches Meta with its test code and the log lists it", async ({ page, request, graph }) => {
    const body = JSON.stringify(
      inboundMessage(
        { phoneNumberId: A.phoneNumberId, displayPhoneNumber: A.display, wabaId: A.wabaId },
        {
          from: CUSTOMER,
          wamid: fakeWamid(`e2e-capi-${Date.now()}`),
          at: new Date(),
          text: "Hi! How much is the weekend course?",
          referral: {
            sourceType: "ad",
            sourceId: "120210000000000701",
            sourceUrl: "https://fb.me/e2e-capi",
            headline: "Weekend acting course",
            body: "Two days on stage",
            mediaType: "image",
            mediaUrl: "https://scontent.xx.fbcdn.net/v/capi.jpg",
            ctwaClid: CLICK_ID,
          },
        },
      ),
    );
    const hook = await request.post("/api/webhooks/whatsapp", {
      data: body,
      headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, SECRET) },
    });
    expect(hook.status()).toBe(200);

    await open(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Conversions" }).click();
    await expect(page.getByRole("heading", { name: "Conversions", level: 1 })).toBeVisible();
    // nothing reported yet, and the page says what conversions are and how to send one
    const empty = page.getByTestId("conversions-empty");
    await expect(empty).toContainText("No conversions yet");
    await expect(empty).toContainText("POST /api/v1/conversions/whatsapp");
    await expect(empty.getByRole("link", { name: "Send a test event" })).toBeVisible();

    await page.getByRole("link", { name: "Send test event", exact: true }).click();
    await expect(page).toHaveURL(/\/conversions\/test$/);
    await page.getByRole("combobox", { name: "Number" }).click();
    await expect(page.getByRole("option", { name: new RegExp(`${C.label}.*no dataset yet`) })).toBeDisabled();
    await page.getByRole("option", { name: new RegExp(A.label) }).click();
    await page.getByRole("combobox", { name: "Event" }).click();
    await page.getByRole("option", { name: "Purchase" }).click();

    // inline errors: a Purchase needs its value and currency; the test code is required
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByText("Enter the phone the customer wrote from")).toBeVisible();
    await expect(page.getByText("A Purchase needs its value")).toBeVisible();
    await expect(page.getByText("Enter the currency, e.g. USD")).toBeVisible();
    await expect(page.getByText("Paste the test event code from Events Manager → Test events")).toBeVisible();
    await expect(page.getByLabel("Test event code")).toHaveAttribute("aria-invalid", "true");

    // someone who never wrote: the server's answer lands on the phone field
    await page.getByRole("textbox", { name: "Subscriber's phone" }).fill("+1 650 555 0799");
    await page.getByLabel("Value").fill("149.90");
    await page.getByLabel("Currency").fill("usd");
    await page.getByLabel("Test event code").fill(TEST_CODE);
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByText("Nobody with the phone +16505550799 has written to this number")).toBeVisible();
    await expect(page.getByRole("textbox", { name: "Subscriber's phone" })).toHaveAttribute("aria-invalid", "true");
    expect(graph.capiDeliveries).toHaveLength(0);

    await page.getByRole("textbox", { name: "Subscriber's phone" }).fill("+1 650 555 0701");
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(page).toHaveURL(/\/conversions\/[0-9a-f-]{36}$/);
    const conversionId = page.url().split("/").pop()!;
    await expect(page.getByTestId("conversion-status").first()).toHaveText("Sent", { timeout: 15_000 });
    const eventId = (await page.getByTestId("event-id").textContent())!;
    expect(eventId).toMatch(/^test-[0-9a-f-]{36}$/);
    await expect(page.getByTestId("test-code")).toHaveText(TEST_CODE);
    await expect(page.getByTestId("click-id")).toHaveText(CLICK_ID);
    await expect(page.getByTestId("events-received")).toHaveText("1");
    await expect(page.getByTestId("fbtrace-id")).toHaveText(/^AFakeTrace\d+$/);
    await expect(page.getByTestId("capi-request")).toContainText('"action_source": "business_messaging"');
    await expect(page.getByTestId("capi-response")).toContainText('"events_received": 1');
    await expect(page.getByRole("link", { name: CUSTOMER.name })).toHaveAttribute("href", /\/subscribers\/[0-9a-f-]{36}$/);

    // exactly one batch reached Meta, built as business messaging expects
    expect(graph.capiDeliveries).toHaveLength(1);
    const delivery = graph.capiDeliveries[0]!;
    expect(delivery).toMatchObject({ datasetId: A.datasetId, token: A.token });
    expect(delivery.body.test_event_code).toBe(TEST_CODE);
    const data = delivery.body.data as Record<string, unknown>[];
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      event_name: "Purchase",
      event_id: eventId,
      action_source: "business_messaging",
      messaging_channel: "whatsapp",
      user_data: { whatsapp_business_account_id: A.wabaId, ctwa_clid: CLICK_ID },
      custom_data: { currency: "USD", value: 149.9 },
    });

    // the log lists it
    await page.getByRole("link", { name: "Conversions", exact: true }).first().click();
    await expect(page).toHaveURL(/\/conversions$/);
    const row = page.getByTestId("conversion-row").filter({ has: page.locator(`a[href="/conversions/${conversionId}"]`) });
    await expect(row).toContainText("Purchase");
    await expect(row).toContainText(/(US)?\$149\.90/); // the browser's locale: "$149.90" in en-US, "US$149.90" in en-GB
    await expect(row).toContainText(CUSTOMER.name);
    await expect(row).toContainText(A.label);
    await expect(row.getByTestId("conversion-status")).toHaveText("Sent");
    await expect(page.getByTestId("count-sent")).toContainText("1");
    await page.getByLabel("Test events").click();
    await page.getByRole("option", { name: "Real events only" }).click();
    await expect(page).toHaveURL(/test=false/);
    await expect(page.getByTestId("conversion-row").filter({ has: page.locator(`a[href="/conversions/${conversionId}"]`) })).toHaveCount(0);
  });

  test("an event Meta rejects shows as rejected with Meta's message, and Retry sends it again", async ({ page, graph }) => {
    graph.scriptEvents(graphError(400, 100, "Messaging Event Invalid Event Type", { subcode: 2804066, type: "OAuthException" }));
    await open(page);
    const eventId = `e2e-reject-${Date.now().toString(36)}`;
    const res = await page.request.post("/api/v1/conversions/whatsapp", {
      data: { accountId: ids.a, eventName: "LeadSubmitted", eventId, phoneE164: CUSTOMER.waId },
    });
    expect(res.status(), await res.text()).toBe(202);
    const { id } = await res.json();

    await page.goto(`/conversions/${id}`);
    await expect(page.getByTestId("conversion-status").first()).toHaveText("Rejected", { timeout: 15_000 });
    const failure = page.getByTestId("conversion-failure");
    await expect(failure).toContainText("Meta rejected this event");
    await expect(failure).toContainText("Messaging Event Invalid Event Type");
    await expect(failure).toContainText("2804066");
    await expect(failure).toContainText("Meta does not accept this event type for WhatsApp");
    await expect(page.getByTestId("capi-response")).toContainText('"error_subcode": 2804066');
    expect(graph.capiDeliveries).toHaveLength(1); // a refused batch is not a delivery

    await page.goto("/conversions?status=rejected");
    const row = page.getByTestId("conversion-row").filter({ has: page.locator(`a[href="/conversions/${id}"]`) });
    await expect(row.getByTestId("conversion-status")).toHaveText("Rejected");
    await expect(row.getByTestId("conversion-error")).toContainText("Meta does not accept this event type for WhatsApp");
    await row.getByRole("link", { name: /Lead received/ }).click();

    await page.getByRole("button", { name: "Retry" }).click();
    await expect(page.getByText("Queued again: sending it to Meta now.")).toBeVisible();
    await expect(page.getByTestId("conversion-status").first()).toHaveText("Sent", { timeout: 15_000 });
    await expect(page.getByTestId("attempts")).toHaveText("2");
    await expect(page.getByTestId("conversion-failure")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Retry" })).toHaveCount(0);
    expect(graph.capiDeliveries).toHaveLength(2);
    const data = graph.capiDeliveries[1]!.body.data as Record<string, unknown>[];
    expect(data[0]).toMatchObject({ event_name: "LeadSubmitted", event_id: eventId, user_data: { ctwa_clid: CLICK_ID } });
    expect(graph.capiDeliveries[1]!.body).not.toHaveProperty("test_event_code");
  });
});
