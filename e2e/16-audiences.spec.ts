import type { APIRequestContext } from "@playwright/test";
import { sha256Hex } from "../lib/crypto";
import { fakeWamid, inboundMessage } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { audienceRowKey } from "./fakes/fake-graph";
import { expect, test } from "./fixtures";
import { ADMIN, SALES_LINE, connectSalesLine, dramaSchool, signIn } from "./helpers";

// Meta Custom Audiences over real HTTP, as issue 23 walks them: Settings → Audiences explains itself while empty; a
// pasted token without ads_management gets an explanation of that permission (with Meta's words); the sales line's
// token loads the ad account's audiences, "All WhatsApp Users" is created there as a customer list and listed; Sync
// now brings its members-sent count to the workspace's reachable subscribers (not the one who wrote STOP), and the
// fake Graph holds exactly their SHA-256 hashed phones.
const NUMBER = { phoneNumberId: SALES_LINE.phoneNumberId, displayPhoneNumber: SALES_LINE.displayPhoneNumber, wabaId: SALES_LINE.wabaId };
const AD_ACCOUNT = "5550002001"; // the sales line's token manages it
const NO_ADS_ACCOUNT = "5550002009"; // a system user token without ads_management
const NO_ADS_TOKEN = "EAAG-e2e-no-ads-management-token";
const REACHABLE = [
  { waId: "16505550411", name: "Aud Anna" },
  { waId: "16505550412", name: "Aud Boris" },
  { waId: "16505550413", name: "Aud Chen" },
];
const STOPPED = { waId: "16505550419", name: "Aud Stop" };

test.use({ seed: { workspaces: [dramaSchool()] } });

async function postSigned(request: APIRequestContext, payload: unknown) {
  const body = JSON.stringify(payload);
  const res = await request.post("/api/webhooks/whatsapp", {
    data: body,
    headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, SALES_LINE.appSecret) },
  });
  expect(res.status()).toBe(200);
}

test.describe.serial("audiences", () => {
  test.beforeAll(async ({ browser, graph }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ADMIN.email, ADMIN.password);
    await connectSalesLine(graph, context.request);
    graph.addAdAccount({ id: AD_ACCOUNT, token: SALES_LINE.token });
    graph.addAdAccount({ id: NO_ADS_ACCOUNT, token: NO_ADS_TOKEN, adsManagement: false });
    graph.addCustomAudience({ adAccountId: AD_ACCOUNT, name: "Website visitors" });

    // four people write in; the last one then writes STOP (opted out: never in an audience)
    const at = Date.now();
    for (const [i, from] of [...REACHABLE, STOPPED].entries()) {
      await postSigned(
        context.request,
        inboundMessage(NUMBER, { from, wamid: fakeWamid(`e2e-aud-${i}-${at}`), at: new Date(at - 60_000 + i * 1_000), text: "Hello!" }),
      );
    }
    await postSigned(context.request, inboundMessage(NUMBER, { from: STOPPED, wamid: fakeWamid(`e2e-aud-stop-${at}`), at: new Date(at), text: "STOP" }));
    const count = async (status: string) =>
      ((await (await context.request.get(`/api/v1/subscribers?status=${status}`)).json()) as { rows: unknown[] }).rows.length;
    await expect.poll(() => count("active"), { timeout: 20_000 }).toBe(REACHABLE.length);
    await expect.poll(() => count("opted_out"), { timeout: 20_000 }).toBe(1);
    await context.close();
  });

  test("an admin connects All WhatsApp Users, and Sync now sends the reachable subscribers' hashed phones", async ({ page, graph }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto("/settings");
    await page.getByTestId("settings-audiences-link").click();
    await expect(page).toHaveURL(/\/settings\/audiences$/);
    const empty = page.getByTestId("audiences-empty");
    await expect(empty).toContainText("No audiences connected yet");
    await expect(empty).toContainText("retarget");
    await expect(empty).toContainText("ads_management");

    await empty.getByRole("link", { name: "Connect an audience" }).click();
    await expect(page).toHaveURL(/\/settings\/audiences\/new$/);
    const form = page.getByTestId("audience-connect-form");

    // a pasted token without ads_management: the permission is explained, Meta's words kept
    await form.getByLabel("Paste a system user token").check();
    await form.getByLabel("System user access token").fill(NO_ADS_TOKEN);
    await form.getByLabel("Ad account id").fill(`act_${NO_ADS_ACCOUNT}`);
    await form.getByRole("button", { name: "Load audiences" }).click();
    const refusal = page.getByTestId("audience-load-error");
    await expect(refusal).toContainText("needs the ads_management permission on this ad account");
    await expect(refusal).toContainText("System users");
    await expect(refusal).toContainText("(#200) Requires ads_management permission");

    // the sales line's token (its only Cloud number is preselected) lists the ad account's audiences
    await form.getByLabel("Use a Cloud API number's token").check();
    await form.getByLabel("Ad account id").fill(AD_ACCOUNT);
    await form.getByRole("button", { name: "Load audiences" }).click();
    await expect(refusal).toBeHidden();
    const choice = page.getByTestId("audience-choice");
    await expect(choice).toContainText("has 1 Custom Audience");
    await expect(choice.getByLabel(/Website visitors/)).toBeVisible();

    await choice.getByLabel(/Create a new audience/).check();
    await form.getByLabel("Audience name").fill("All WhatsApp Users");
    await expect(page.getByTestId("audience-segment-words")).toContainText("Everyone reachable");
    await form.getByRole("button", { name: "Connect audience" }).click();

    await expect(page).toHaveURL(/\/settings\/audiences$/);
    const row = page.getByTestId("audience-row").filter({ hasText: "All WhatsApp Users" });
    await expect(row).toBeVisible();
    await expect(row).toContainText(`Ad account act_${AD_ACCOUNT}`);
    await expect(row.getByTestId("audience-segment-text")).toContainText("Everyone reachable");
    const audienceId = (await row.textContent())!.match(/audience (\d+)/)![1]!;
    expect(graph.customAudience(audienceId)).toMatchObject({ name: "All WhatsApp Users", subtype: "CUSTOM", customerFileSource: "USER_PROVIDED_ONLY" });

    await row.getByRole("button", { name: "Sync now: All WhatsApp Users" }).click();
    await expect(page.getByText("Sync of All WhatsApp Users started")).toBeVisible();
    // the list refreshes itself while the sync runs; a reload reads the same row either way
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await page.getByTestId("audience-row").filter({ hasText: "All WhatsApp Users" }).getByTestId("audience-size-sent").textContent())?.trim();
        },
        { timeout: 30_000, intervals: [500, 1_000, 2_000] },
      )
      .toBe(String(REACHABLE.length));
    await expect(row).toContainText("Synced");
    expect(graph.customAudience(audienceId)!.members).toEqual(new Set(REACHABLE.map((p) => audienceRowKey([sha256Hex(p.waId), ""]))));

    // its page: the counts and the segment
    await row.getByRole("link", { name: "All WhatsApp Users" }).click();
    await expect(page).toHaveURL(/\/settings\/audiences\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("audience-stat-size")).toContainText(String(REACHABLE.length));
    await expect(page.getByTestId("audience-segment-text")).toContainText("Everyone reachable");
  });
});
