import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fakeWamid, inboundMessage } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";
import { expect, test } from "./fixtures";
import { ADMIN, SALES_LINE, connectSalesLine, dramaSchool, signIn } from "./helpers";

// Outgoing webhooks over real HTTP: an admin adds an endpoint in Settings → Webhooks and copies its secret once; a
// signed inbound WhatsApp message then reaches the receiver (a real server on loopback) as subscriber.created and
// message.received, each signed with that secret (checked here as the README's recipe does); the endpoint's page
// lists the deliveries as delivered and each attempt with its status code.
const NUMBER = { phoneNumberId: SALES_LINE.phoneNumberId, displayPhoneNumber: SALES_LINE.displayPhoneNumber, wabaId: SALES_LINE.wabaId };
type Received = { headers: http.IncomingHttpHeaders; body: string };

test.use({ seed: { workspaces: [dramaSchool()] } });

/** The README's check: `t=<unix>,v1=<hex>` over `${t}.${body}`, within five minutes. */
function verified(secret: string, header: string, body: string): boolean {
  const parts = new Map<string, string[]>();
  for (const item of header.split(",")) {
    const [k, v] = item.split("=", 2);
    if (k && v) parts.set(k, [...(parts.get(k) ?? []), v]);
  }
  const t = parts.get("t")?.[0];
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  return (parts.get("v1") ?? []).some((v) => {
    const got = Buffer.from(v, "hex");
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

test.describe.serial("outgoing webhooks", () => {
  const received: Received[] = [];
  let server: http.Server;
  let url = "";

  test.beforeAll(async ({ browser, graph }) => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clicktrail-hook`;
    const context = await browser.newContext();
    await signIn(await context.newPage(), ADMIN.email, ADMIN.password);
    await connectSalesLine(graph, context.request);
    await context.close();
  });
  test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("an endpoint added in Settings receives signed events of a new WhatsApp chat, and its page shows the attempts", async ({ page, request }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto("/settings");
    await page.getByTestId("settings-webhooks-link").click();
    await expect(page).toHaveURL(/\/settings\/webhooks$/);
    await page.getByRole("button", { name: "Add endpoint" }).first().click();
    const form = page.getByTestId("webhook-endpoint-form");
    await form.getByLabel("URL").fill(url);
    await form.getByLabel("Description").fill("E2E CRM");
    await form.getByLabel("All events").click();
    await form.getByRole("button", { name: "Add endpoint" }).click();
    const secret = (await page.getByTestId("webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "I have stored it" }).click();
    await expect(page.getByTestId("webhook-endpoint-row")).toContainText("E2E CRM");

    const body = JSON.stringify(
      inboundMessage(NUMBER, {
        from: { waId: "16505550199", name: "Hook Hanna" },
        wamid: fakeWamid(`e2e-hook-${Date.now()}`),
        at: new Date(),
        text: "Hi! Prices?",
      }),
    );
    const res = await request.post("/api/webhooks/whatsapp", {
      data: body,
      headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(body, SALES_LINE.appSecret) },
    });
    expect(res.status()).toBe(200);

    const typesOf = () => received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    await expect.poll(typesOf, { timeout: 20_000 }).toEqual(expect.arrayContaining(["subscriber.created", "message.received"]));
    for (const r of received) {
      expect(verified(secret, String(r.headers["clicktrail-signature"]), r.body)).toBe(true);
      expect(verified(secret, String(r.headers["clicktrail-signature"]), r.body.replace("Hanna", "Hannah"))).toBe(false);
      const event = JSON.parse(r.body) as { id: string; type: string; data: Record<string, unknown> };
      expect(r.headers["clicktrail-event-id"]).toBe(event.id);
    }
    const message = received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> }).find((e) => e.type === "message.received")!;
    expect(JSON.stringify(message.data)).toContain("Hi! Prices?");

    await page.getByTestId("webhook-endpoint-row").getByRole("link").first().click();
    await expect(page.getByTestId("webhook-delivery-row").first()).toBeVisible();
    await expect(page.getByTestId("webhook-delivery-row").filter({ hasText: "message.received" })).toContainText("Delivered");
    await expect(page.getByTestId("webhook-attempt-row").first()).toContainText("200");
  });
});
