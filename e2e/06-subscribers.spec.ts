import fs from "node:fs";
import { fakeWamid, inboundMessage } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { expect, test } from "./fixtures";
import { ADMIN, MARKETER, SALES_LINE, connectSalesLine, dramaSchool, signIn } from "./helpers";

// the drama school's Cloud API number, connected before the test (app secret "e2e-app-secret")
const NUMBER = { phoneNumberId: SALES_LINE.phoneNumberId, displayPhoneNumber: SALES_LINE.displayPhoneNumber, wabaId: SALES_LINE.wabaId };
const SECRET = SALES_LINE.appSecret;
const AD_A = "120210000000000301";
const AD_B = "120210000000000302";

test.use({ seed: { workspaces: [dramaSchool("marketer")] } });

test.describe("subscribers", () => {
  test.beforeAll(async ({ browser, graph }) => {
    const context = await browser.newContext();
    await signIn(await context.newPage(), ADMIN.email, ADMIN.password);
    await connectSalesLine(graph, context.request);
    await context.close();
  });

  test("filter by an ad, open a subscriber with its creative and click id, and export exactly the filtered rows", async ({ page, request }) => {
    const run = Date.now().toString(36);
    const click = (waId: string, name: string, adId: string, headline: string, ctwaClid: string) => {
      const body = JSON.stringify(
        inboundMessage(NUMBER, {
          from: { waId, name },
          wamid: fakeWamid(`e2e-subs-${run}-${waId}`),
          at: new Date(),
          text: "Hello! Can I get more info on this?",
          referral: {
            sourceType: "ad",
            sourceId: adId,
            sourceUrl: "https://fb.me/e2e?utm_source=facebook&utm_campaign=winter_e2e",
            headline,
            body: "Evening groups",
            mediaType: "image",
            mediaUrl: `https://scontent.xx.fbcdn.net/v/${adId}.jpg`,
            ctwaClid,
          },
        }),
      );
      return request.post("/api/webhooks/whatsapp", {
        data: body,
        headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, SECRET) },
      });
    };
    expect((await click("16505550301", "Ada Ad-A", AD_A, "Winter acting intensive", "ARAe2eWinterClick")).status()).toBe(200);
    expect((await click("16505550302", "Ben Ad-B", AD_B, "Public speaking weekend", "ARAe2eSpeakClick")).status()).toBe(200);

    await signIn(page, MARKETER.email, MARKETER.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Subscribers" }).click();
    await expect(page.getByTestId("subscriber-row").filter({ hasText: "Ben Ad-B" })).toBeVisible({ timeout: 15_000 });
    // someone new writes while the list is open: they appear without a reload
    expect((await click("16505550303", "Cleo Live", AD_B, "Public speaking weekend", "ARAe2eLiveClick")).status()).toBe(200);
    await expect(page.getByTestId("subscriber-row").first()).toContainText("Cleo Live", { timeout: 15_000 });

    await page.getByLabel("Ad", { exact: true }).click();
    await page.getByRole("option", { name: `Ad ${AD_A}` }).click();
    await expect(page).toHaveURL(new RegExp(`ad=${AD_A}`));
    const rows = page.getByTestId("subscriber-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("Ada Ad-A");
    await expect(rows.first()).toContainText("Winter acting intensive");

    // the export is the filtered list
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^subscribers-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = fs
      .readFileSync((await download.path())!, "utf8")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toMatch(/^id,name,wa_phone,/);
    expect(lines.slice(1).map((l) => l.split(",")[1])).toEqual(["Ada Ad-A"]);
    expect(lines[1]).toContain(AD_A);

    await rows.first().getByRole("link", { name: "Ada Ad-A" }).click();
    await expect(page.getByRole("heading", { name: "Ada Ad-A" })).toBeVisible();
    const referral = page.getByTestId("referral").first();
    await expect(referral).toContainText("Winter acting intensive");
    await expect(referral.getByRole("img", { name: "Ad creative: Winter acting intensive" })).toHaveAttribute(
      "src",
      `https://scontent.xx.fbcdn.net/v/${AD_A}.jpg`,
    );
    await expect(referral.getByTestId("click-id")).toHaveText("ARAe2eWinterClick");
    await expect(referral).toContainText("campaign=winter_e2e");
    await expect(page.getByTestId("timeline")).toContainText("Hello! Can I get more info on this?");
  });
});
