import Zernio, { ZernioApiError } from "@getlatedev/node";
import { expect, test } from "./fixtures";
import { ADMIN, dramaSchool, signIn } from "./helpers";

test.use({ seed: { workspaces: [dramaSchool()] } });

test.describe.serial("API keys, health and demo data", () => {
  test("health reports the driver and the applied migration", async ({ request, app }) => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", db: app.driver });
    expect(body.migration).toMatch(/^\d{4}_/);
  });

  test("the API refuses anonymous calls with the JSON error shape", async ({ playwright, baseURL }) => {
    const anonymous = await playwright.request.newContext({ baseURL });
    const res = await anonymous.get("/api/v1/me");
    expect(res.status()).toBe(401);
    expect((await res.json()).error).toMatchObject({ code: "unauthorized", message: expect.any(String) });
    await anonymous.dispose();
  });

  test("an admin creates an API key that is shown once and works as a bearer token until revoked", async ({ page, playwright, baseURL }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto("/settings");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByRole("dialog").getByLabel("Name").fill("CRM production");
    await page.getByRole("dialog").getByRole("button", { name: "Create key" }).click();
    const secret = (await page.getByTestId("new-api-key").textContent())!.trim();
    expect(secret).toMatch(/^ck_/);
    await page.getByRole("button", { name: "I have stored it" }).click();
    await expect(page.getByRole("cell", { name: "CRM production" })).toBeVisible();
    await expect(page.getByText(secret)).toHaveCount(0); // never shown again

    const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
    const me = await api.get("/api/v1/me");
    expect(me.status()).toBe(200);
    expect((await me.json()).tenant.name).toBe(ADMIN.organisation);

    await page.getByRole("button", { name: "Revoke" }).first().click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Revoke key" }).click();
    await expect(page.getByText("Revoked").first()).toBeVisible();
    expect((await api.get("/api/v1/me")).status()).toBe(401);
    await api.dispose();
  });

  test("loading demo data fills the dashboard with real counts", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole("button", { name: "Load demo data" }).click();
    await expect(page.getByText(/Loaded 300 demo subscribers/)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText("No WhatsApp number connected yet")).toHaveCount(0);
    const dashboard = await (await page.request.get("/api/v1/dashboard")).json();
    expect(dashboard.counts.subscribers).toBe(300);
    expect(dashboard.counts.numbers).toBe(3);
    await expect(page.getByText("300", { exact: true })).toBeVisible();
  });

  test("Zernio's own SDK works against this server with only its base URL changed", async ({ page, baseURL }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const created = await page.request.post("/api/v1/api-keys", { data: { name: "Zernio SDK" } });
    expect(created.status()).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    const numbers = (await (await page.request.get("/api/v1/numbers")).json()) as { rows: { id: string; provider: string }[] };
    const cloud = numbers.rows.find((n) => n.provider === "cloud")!;
    const zernio = new Zernio({ apiKey: secret, baseURL: `${baseURL}/api/zernio` });

    const list = await zernio.whatsapp.listWhatsAppConversions({ query: { accountId: cloud.id, limit: 5 } });
    expect(Array.isArray((list.data as { events: unknown[] }).events)).toBe(true);
    expect(Object.keys((await zernio.whatsapp.getWhatsAppDataset({ query: { accountId: cloud.id } })).data as object)).toContain("datasetId");

    // errors arrive as the SDK reads them: the message is ours, not "[object Object]"
    const refused = await zernio.whatsapp
      .sendWhatsAppConversion({ body: { accountId: cloud.id, eventName: "Lead" as never, eventId: "e2e-zernio-1", phoneE164: "+79001234567" } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(ZernioApiError);
    expect((refused as ZernioApiError).statusCode).toBe(422);
    expect((refused as ZernioApiError).message).toContain("LeadSubmitted");
    const unknown = await page.request.get("/api/zernio/v1/whatsapp/nothing", { headers: { authorization: `Bearer ${secret}` } });
    expect(unknown.status()).toBe(404);
    expect(typeof ((await unknown.json()) as { error: unknown }).error).toBe("string");
  });
});
