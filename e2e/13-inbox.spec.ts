import { fakeWamid, inboundMessage } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { expect, test } from "./fixtures";
import { ADMIN, SALES_LINE, connectSalesLine, dramaSchool, signIn } from "./helpers";

// The inbox over real HTTP: an empty workspace explains itself, a signed inbound message appears in the list
// without a reload with its unread count and the ad it came from, opening it shows the transcript and the
// referral card and marks it read, and the chat can be taken. (Replies, media and the window rule are
// covered by the API tests; their browser walk comes with the reply composer's e2e.)
const NUMBER = { phoneNumberId: SALES_LINE.phoneNumberId, displayPhoneNumber: SALES_LINE.displayPhoneNumber, wabaId: SALES_LINE.wabaId };

test.use({ seed: { workspaces: [dramaSchool()] } });

test.describe.serial("inbox", () => {
  test.beforeAll(async ({ browser, graph }) => {
    const context = await browser.newContext();
    await signIn(await context.newPage(), ADMIN.email, ADMIN.password);
    await connectSalesLine(graph, context.request);
    await context.close();
  });

  test("a signed inbound message appears without a reload, opens with its ad, and is marked read", async ({ page, request }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Inbox/ }).click();
    await expect(page).toHaveURL(/\/inbox/);
    await expect(page.getByTestId("inbox-empty")).toBeVisible();

    const body = JSON.stringify(
      inboundMessage(NUMBER, {
        from: { waId: "16505550177", name: "Inbox Ingrid" },
        wamid: fakeWamid(`e2e-inbox-${Date.now()}`),
        at: new Date(),
        text: "Hello! Is there a trial lesson on Saturday?",
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
      }),
    );
    const res = await request.post("/api/webhooks/whatsapp", {
      data: body,
      headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, SALES_LINE.appSecret) },
    });
    expect(res.status()).toBe(200);

    // polling brings the chat in: no reload
    const row = page.getByTestId("chat-row").filter({ hasText: "Inbox Ingrid" });
    await expect(row).toBeVisible({ timeout: 20_000 });
    await expect(row).toContainText("Is there a trial lesson on Saturday?");
    await expect(row).toContainText("1");

    await row.click();
    await expect(page).toHaveURL(/chat=/);
    await expect(page.getByTestId("message-bubble").filter({ hasText: "Is there a trial lesson on Saturday?" })).toBeVisible();
    await expect(page.getByTestId("referral-card")).toContainText("First lesson free");
    await expect(page.getByTestId("chat-window")).toBeVisible();
    await expect(page.getByTestId("composer")).toBeVisible();

    // opening it marked it read
    await expect
      .poll(async () => ((await (await page.request.get("/api/v1/conversations")).json()) as { rows: { unreadCount: number }[] }).rows[0]?.unreadCount, {
        timeout: 15_000,
      })
      .toBe(0);
  });
});
