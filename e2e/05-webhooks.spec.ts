import { fakeWamid, inboundMessage } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { expect, test } from "./fixtures";
import { ADMIN, MANAGER, MARKETER, SALES_LINE, connectSalesLine, dramaSchool, signIn } from "./helpers";

// the drama school's Cloud API number, connected before the tests (app secret "e2e-app-secret")
const NUMBER = { phoneNumberId: SALES_LINE.phoneNumberId, displayPhoneNumber: SALES_LINE.displayPhoneNumber, wabaId: SALES_LINE.wabaId };
const SECRET = SALES_LINE.appSecret;

test.use({ seed: { workspaces: [dramaSchool("manager", "marketer")] } });

test.describe.serial("webhook ingestion", () => {
  test.beforeAll(async ({ browser, graph }) => {
    const context = await browser.newContext();
    await signIn(await context.newPage(), ADMIN.email, ADMIN.password);
    await connectSalesLine(graph, context.request);
    await context.close();
  });

  test("Meta's handshake echoes the challenge for the number's verify token only", async ({ page, request }) => {
    await signIn(page, MANAGER.email, MANAGER.password);
    await page.goto("/numbers");
    await page.getByRole("link", { name: "E2E sales line", exact: true }).click();
    const token = (await page.getByTestId("verify-token").textContent())!;
    const ok = await request.get(`/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=8207`);
    expect(ok.status()).toBe(200);
    expect(await ok.text()).toBe("8207");
    expect((await request.get("/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong-token-0000000&hub.challenge=1")).status()).toBe(403);
  });

  test("a signed webhook lands, the number shows it live, and the Webhooks page shows it with its raw JSON", async ({ page, request }) => {
    await signIn(page, MANAGER.email, MANAGER.password);
    await page.goto("/numbers");
    await page.getByRole("link", { name: "E2E sales line", exact: true }).click();
    await expect(page.getByTestId("webhook-indicator")).toHaveText(/Waiting for the first webhook/);

    const body = JSON.stringify(
      inboundMessage(NUMBER, {
        from: { waId: "16505550101", name: "Playwright Pat" },
        wamid: fakeWamid(`e2e-${Date.now()}`),
        at: new Date(),
        text: "Hi! Is the evening group still open?",
        referral: {
          sourceType: "ad",
          sourceId: "120210000000000101",
          sourceUrl: "https://fb.me/1acting?utm_source=facebook&utm_campaign=autumn_acting",
          headline: "Acting course: first lesson free",
          body: "Book a free trial",
          mediaType: "image",
          mediaUrl: "https://scontent.xx.fbcdn.net/v/a.jpg",
          ctwaClid: "ARAe2eClickId",
        },
      }),
    );
    const res = await request.post("/api/webhooks/whatsapp", {
      data: body,
      headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, SECRET) },
    });
    expect(res.status()).toBe(200);
    const forged = await request.post("/api/webhooks/whatsapp", {
      data: body,
      headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, "not-the-secret") },
    });
    expect(forged.status()).toBe(401);

    // the live indicator on the number's page flips without a reload (React Query polling)
    await expect(page.getByTestId("webhook-indicator")).toHaveText(/Last webhook received/, { timeout: 15_000 });

    // the subscriber exists with the ad's click id
    const subs = await (await page.request.get("/api/v1/subscribers?waPhone=%2B16505550101")).json();
    expect(subs.rows[0]).toMatchObject({ profileName: "Playwright Pat", inboundCount: 1 });
    const detail = await (await page.request.get(`/api/v1/subscribers/${subs.rows[0].id}`)).json();
    expect(detail).toMatchObject({ ctwaClid: "ARAe2eClickId", utmCampaign: "autumn_acting", referral: { headline: "Acting course: first lesson free" } });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    const rows = page.getByTestId("webhook-row");
    await expect(rows.first().getByTestId("webhook-status")).toHaveText(/Rejected/);
    await expect(rows.nth(1).getByTestId("webhook-status")).toHaveText(/Processed/);
    await rows.nth(1).getByRole("link").click();
    await expect(page.getByTestId("webhook-raw-body")).toContainText("Playwright Pat");
    await expect(page.getByTestId("webhook-item").first()).toContainText("Is the evening group still open?");
  });

  test("a marketer sees the events but not their bodies", async ({ page }) => {
    await signIn(page, MARKETER.email, MARKETER.password);
    await page.goto("/webhooks");
    await expect(page.getByTestId("webhook-row").first()).toBeVisible();
    await expect(page.getByTestId("webhook-row").first().getByRole("link")).toHaveCount(0);
  });
});
