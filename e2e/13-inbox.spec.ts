import type { APIRequestContext, Page } from "@playwright/test";
import { fakeWamid, inboundMessage, statusUpdates } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { type RecordedSend, serveCloudMessages } from "./fakes/fake-senders";
import { graphError } from "./fakes/fake-graph";
import { expect, test } from "./fixtures";
import { ADMIN, MANAGER, SALES_LINE, connectSalesLine, dramaSchool, signIn } from "./helpers";

// The inbox over real HTTP, as issue 21 walks it: an empty workspace explains itself; a signed inbound image from
// an ad appears in the list without a reload (preview, unread count) and opens with the picture fetched through
// our server, the referral card and the window; the manager replies and the reply goes Sending → Sent → Read,
// the last from a later status webhook; a refused send shows why and is retried; outside the 24 h window the
// composer explains the rule and sends an approved template with its parameters; a manager assigns a chat, and
// the assignee's inbox opens on Mine.
const NUMBER = { phoneNumberId: SALES_LINE.phoneNumberId, displayPhoneNumber: SALES_LINE.displayPhoneNumber, wabaId: SALES_LINE.wabaId };
const INGRID = { waId: "16505550177", name: "Inbox Ingrid" };
const OSCAR = { waId: "16505550178", name: "Old Oscar" };
const HOUR = 3_600_000;
// a 2×2 PNG: the picture Graph serves for the image's media id
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==", "base64");

test.use({ seed: { workspaces: [dramaSchool("manager")] } });

async function postSigned(request: APIRequestContext, payload: unknown) {
  const body = JSON.stringify(payload);
  const res = await request.post("/api/webhooks/whatsapp", {
    data: body,
    headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, SALES_LINE.appSecret) },
  });
  expect(res.status()).toBe(200);
}

async function openInbox(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Inbox/ }).click();
  await expect(page).toHaveURL(/\/inbox/);
}

test.describe.serial("inbox", () => {
  let sends: RecordedSend[] = [];
  let script: (...r: Parameters<ReturnType<typeof serveCloudMessages>["script"]>) => void = () => undefined;

  test.beforeAll(async ({ browser, graph }) => {
    const context = await browser.newContext();
    await signIn(await context.newPage(), ADMIN.email, ADMIN.password);
    await connectSalesLine(graph, context.request);
    await context.close();
    const cloud = serveCloudMessages(graph, { [SALES_LINE.phoneNumberId]: SALES_LINE.token });
    sends = cloud.sends;
    script = cloud.script;
    graph.addMessageTemplates(SALES_LINE.wabaId, SALES_LINE.token, [
      {
        name: "trial_follow_up",
        language: "en_US",
        category: "UTILITY",
        components: [{ type: "BODY", text: "Hi {{1}}! Your trial lesson is on {{2}}. Reply to choose a time." }],
      },
    ]);
  });

  test("a signed inbound image from an ad appears without a reload, opens with its picture and ad, and is marked read", async ({ page, request, graph }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await openInbox(page);
    await expect(page.getByTestId("inbox-empty")).toBeVisible();

    const at = new Date();
    const wamid = fakeWamid(`e2e-inbox-image-${at.getTime()}`);
    const payload = inboundMessage(NUMBER, {
      from: INGRID,
      wamid,
      at,
      type: "image",
      text: "Is there a trial lesson on Saturday?",
      referral: {
        sourceType: "ad",
        sourceId: "120210000000000177",
        sourceUrl: "https://fb.me/1trial",
        headline: "First lesson free",
        body: "Book a trial",
        mediaType: "image",
        mediaUrl: "https://scontent.xx.fbcdn.net/v/trial.jpg",
        ctwaClid: "ARAinboxClickId",
      },
    });
    const image = (payload.entry[0]!.changes[0]!.value as { messages: { image: { id: string } }[] }).messages[0]!.image;
    graph.addMedia({ id: image.id, token: SALES_LINE.token, bytes: PNG, mime_type: "image/png" });
    await postSigned(request, payload);

    // polling brings the chat in: no reload
    const row = page.getByTestId("chat-row").filter({ hasText: INGRID.name });
    await expect(row).toBeVisible({ timeout: 20_000 });
    await expect(row).toContainText("Is there a trial lesson on Saturday?");
    await expect(row).toContainText("1");

    await row.click();
    await expect(page).toHaveURL(/chat=/);
    const bubble = page.getByTestId("message-bubble").filter({ hasText: "Is there a trial lesson on Saturday?" });
    await expect(bubble).toBeVisible();
    // the picture comes through our media proxy (the Graph URL and token never reach the browser)
    const img = bubble.getByRole("img", { name: "Is there a trial lesson on Saturday?" });
    await expect(img).toHaveAttribute("src", /^\/api\/v1\/messages\/[0-9a-f-]+\/media$/);
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : 0)), { timeout: 15_000 }).toBe(2);
    await expect(page.getByTestId("referral-card")).toContainText("First lesson free");
    await expect(page.getByTestId("chat-window")).toContainText("Window open");
    await expect(page.getByTestId("composer")).toBeVisible();

    // opening it marked it read
    await expect
      .poll(async () => ((await (await page.request.get("/api/v1/conversations")).json()) as { rows: { unreadCount: number }[] }).rows[0]?.unreadCount, {
        timeout: 15_000,
      })
      .toBe(0);
  });

  test("a reply goes Sending → Sent, then Read from a later status webhook, live", async ({ page, request }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await openInbox(page);
    await page.getByTestId("chat-row").filter({ hasText: INGRID.name }).click();

    // Graph takes three seconds to accept this one: the reply shows as sending meanwhile
    const wamid = fakeWamid(`e2e-inbox-reply-${Date.now()}`);
    script({ json: { messaging_product: "whatsapp", contacts: [{ input: INGRID.waId, wa_id: INGRID.waId }], messages: [{ id: wamid }] }, delayMs: 3_000 });
    const text = "Yes! Saturday at 11:00 works. See you at the studio.";
    await page.getByLabel("Message", { exact: true }).fill(text);
    await page.keyboard.press("Enter");

    const reply = page.getByTestId("message-bubble").filter({ hasText: text });
    await expect(reply).toHaveAttribute("data-status", "pending");
    await expect(reply.getByRole("img", { name: "Sending" })).toBeVisible();
    // Meta accepted it (the send's answer): still a clock until WhatsApp reports it sent
    await expect(reply).toHaveAttribute("data-status", "accepted", { timeout: 15_000 });
    await expect(page.getByLabel("Message", { exact: true })).toHaveValue("");
    const now = Date.now();
    await postSigned(request, statusUpdates(NUMBER, [{ wamid, recipient: INGRID.waId, status: "sent", at: new Date(now) }]));
    await expect(reply).toHaveAttribute("data-status", "sent", { timeout: 20_000 });
    await expect(reply.getByRole("img", { name: "Sent" })).toBeVisible();

    // then delivered and read: the ticks turn without a reload
    await postSigned(
      request,
      statusUpdates(NUMBER, [
        { wamid, recipient: INGRID.waId, status: "delivered", at: new Date(now + 1_000) },
        { wamid, recipient: INGRID.waId, status: "read", at: new Date(now + 2_000) },
      ]),
    );
    await expect(reply).toHaveAttribute("data-status", "read", { timeout: 20_000 });
    await expect(reply.getByRole("img", { name: "Read" })).toBeVisible();
  });

  test("a refused send shows why, and Retry sends it", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await openInbox(page);
    await page.getByTestId("chat-row").filter({ hasText: INGRID.name }).click();

    script(graphError(400, 131026, "Message undeliverable"));
    const text = "Shall I book the 11:00 slot for you?";
    await page.getByLabel("Message", { exact: true }).fill(text);
    await page.getByRole("button", { name: "Send", exact: true }).click();

    const reply = page.getByTestId("message-bubble").filter({ hasText: text });
    await expect(reply).toHaveAttribute("data-status", "failed", { timeout: 15_000 });
    await expect(reply.getByRole("note")).toContainText("131026");
    const before = sends.length;
    await reply.getByRole("button", { name: /Retry/ }).click();
    await expect(reply).toHaveAttribute("data-status", "accepted", { timeout: 15_000 });
    await expect(reply.getByRole("note")).toHaveCount(0);
    expect(sends.slice(before).filter((s) => (s.body.text as { body?: string } | undefined)?.body === text)).toHaveLength(1);
  });

  test("outside the 24 h window the composer explains the rule and sends an approved template", async ({ page, request }) => {
    const at = new Date(Date.now() - 26 * HOUR);
    await postSigned(
      request,
      inboundMessage(NUMBER, { from: OSCAR, wamid: fakeWamid(`e2e-inbox-old-${at.getTime()}`), at, text: "Do you have evening classes?" }),
    );

    await signIn(page, ADMIN.email, ADMIN.password);
    await openInbox(page);
    await page.getByTestId("chat-row").filter({ hasText: OSCAR.name }).click();
    await expect(page.getByTestId("chat-window")).toHaveText(/Window closed/);
    await expect(page.getByTestId("window-closed-note")).toContainText("24-hour window is closed");
    await expect(page.getByLabel("Message", { exact: true })).toHaveCount(0); // no free text

    await page.getByRole("combobox", { name: "Template" }).click();
    await page.getByRole("option", { name: "trial_follow_up (en_US)" }).click();
    await expect(page.getByTestId("composer")).toContainText("Your trial lesson is on {{2}}");
    // both parameters are required: the form says so beside the empty one
    await page.getByLabel("{{1}}").fill("Oscar");
    await page.getByRole("button", { name: "Send template" }).click();
    await expect(page.getByTestId("composer")).toContainText(/required|Fill/i);
    await page.getByLabel("{{2}}").fill("Thursday 19:00");
    const before = sends.length;
    await page.getByRole("button", { name: "Send template" }).click();

    const reply = page.getByTestId("message-bubble").filter({ hasText: "Your trial lesson is on Thursday 19:00" });
    await expect(reply).toHaveAttribute("data-status", "accepted", { timeout: 15_000 });
    await expect.poll(() => sends.length).toBe(before + 1);
    const send = sends.at(-1)!;
    expect(send.body).toMatchObject({ to: `+${OSCAR.waId}`, type: "template" });
    expect(send.body.template).toMatchObject({
      name: "trial_follow_up",
      language: { code: "en_US" },
      components: [
        {
          type: "body",
          parameters: [
            { type: "text", text: "Oscar" },
            { type: "text", text: "Thursday 19:00" },
          ],
        },
      ],
    });
  });

  test("a saved quick reply is inserted by typing / in the composer", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await openInbox(page);
    await page.getByRole("link", { name: "Quick replies" }).click();
    await expect(page).toHaveURL(/\/inbox\/quick-replies$/);
    await page.getByRole("button", { name: "Add your first quick reply" }).click();
    await page.getByLabel("Shortcut").fill("hours");
    await page.getByLabel("Text").fill("We are open Monday to Saturday, 10:00 to 20:00.");
    await page.getByRole("dialog").getByRole("button", { name: "Add quick reply" }).click();
    await expect(page.getByTestId("quick-reply-row")).toContainText("/hours");

    await page.getByRole("link", { name: "Inbox" }).first().click();
    await page.getByTestId("chat-row").filter({ hasText: INGRID.name }).click();
    const box = page.getByLabel("Message", { exact: true });
    await box.pressSequentially("/hou");
    await expect(page.getByTestId("quick-reply-option")).toHaveCount(1);
    await box.press("Enter");
    await expect(box).toHaveValue("We are open Monday to Saturday, 10:00 to 20:00.");
  });

  test("a manager assigns a chat; the assignee's inbox opens on Mine", async ({ page, browser }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await openInbox(page);
    await page.getByTestId("chat-row").filter({ hasText: INGRID.name }).click();
    await page.getByLabel("Assigned to").click();
    await page.getByRole("option", { name: MANAGER.name }).click();
    await expect(page.getByText(`Assigned to ${MANAGER.name}`)).toBeVisible();
    await expect(page.getByTestId("chat-row").filter({ hasText: INGRID.name })).toContainText(MANAGER.name);

    const context = await browser.newContext();
    const maya = await context.newPage();
    await signIn(maya, MANAGER.email, MANAGER.password);
    await openInbox(maya);
    const views = maya.getByTestId("assigned-views");
    await expect(views.getByRole("button", { name: "Mine" })).toHaveAttribute("aria-pressed", "true");
    await expect(maya.getByTestId("chat-row")).toHaveCount(1);
    await expect(maya.getByTestId("chat-row")).toContainText(INGRID.name);
    await views.getByRole("button", { name: "All" }).click();
    await expect(maya).toHaveURL(/assigned=anyone/);
    await expect(maya.getByTestId("chat-row")).toHaveCount(2);
    // Oscar's chat is nobody's: Maya takes it
    await maya.getByTestId("chat-row").filter({ hasText: OSCAR.name }).click();
    await maya.getByLabel("Assigned to").click();
    await maya.getByRole("option", { name: `${MANAGER.name} (you)` }).click();
    await expect(maya.getByText("Assigned to you")).toBeVisible();
    await context.close();
  });
});
