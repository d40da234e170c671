// The Bot API client and the new lead's job fallback against a fake Telegram on 127.0.0.1: only
// TELEGRAM_API_BASE's host is called, Telegram's errors keep their words (token scrubbed), 429 and 5xx are
// retried by the jobs queue after Retry-After, and a lead whose immediate send failed is sent once by the queue.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { insertNumber, insertTenant } from "@/db/queries";
import { jobs, telegramBots } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeTelegram, startFakeTelegram } from "@/e2e/fakes/fake-telegram";
import { startFakeServer } from "@/e2e/fakes/http-fake";
import { checkEgressUrl } from "@/lib/egress";
import { drainJobs } from "@/lib/jobs/queue";
import { createLead } from "@/lib/leads/create";
import { parseCreateLead } from "@/lib/leads/schemas";
import { connectTelegramBot } from "./bot";
import { escapeHtml, type TelegramDeps, telegramCall, telegramEgressPolicy } from "./client";
import { announceNewLead, TELEGRAM_LEAD_JOB, telegramLeadJobHandler } from "./lead-notice";

const KEY = Buffer.alloc(32, 9).toString("base64");

describe("the Telegram egress rule", () => {
  it("allows only TELEGRAM_API_BASE's host: the official one over https at 443, another base as configured", () => {
    const official = telegramEgressPolicy("https://api.telegram.org");
    expect(checkEgressUrl("https://api.telegram.org/bot1:x/getMe", official)).toMatchObject({ ok: true, trusted: false });
    expect(checkEgressUrl("http://api.telegram.org/bot1:x/getMe", official)).toMatchObject({ ok: false });
    expect(checkEgressUrl("https://evil.example/bot1:x/getMe", official)).toMatchObject({ ok: false });
    expect(checkEgressUrl("http://127.0.0.1:8081/bot1:x/getMe", official)).toMatchObject({ ok: false });
    const local = telegramEgressPolicy("http://127.0.0.1:8081");
    expect(checkEgressUrl("http://127.0.0.1:8081/bot1:x/getMe", local)).toMatchObject({ ok: true, trusted: true });
    expect(checkEgressUrl("http://127.0.0.1:8082/bot1:x/getMe", local)).toMatchObject({ ok: false });
    expect(checkEgressUrl("https://api.telegram.org/bot1:x/getMe", local)).toMatchObject({ ok: false });
  });

  it("escapes what goes into HTML messages", () => {
    expect(escapeHtml(`<b>Tom & "Jerry"</b>`)).toBe(`&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt;`);
  });
});

describe("the Bot API client", () => {
  it("keeps Telegram's words, retries 429 after retry_after, refuses redirects and scrubs the token", async () => {
    const server = await startFakeServer();
    const token = "12345:AAsecretsecretsecretsecretsecretsecret";
    const deps = { apiBase: server.url, egress: telegramEgressPolicy(server.url), timeoutMs: 2000 };
    server.on("POST", /getMe$/, () => ({
      status: 429,
      json: { ok: false, error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } },
    }));
    server.on("POST", /sendMessage$/, () => ({ status: 302, headers: { location: "http://127.0.0.1:1/" }, text: "" }));
    server.on("POST", /getChat$/, () => ({ status: 400, json: { ok: false, error_code: 400, description: `Bad Request: chat not found for ${token}` } }));
    try {
      expect(await telegramCall(deps, token, "getMe", {}, z.unknown())).toEqual({
        ok: false,
        error: { errorCode: 429, description: "Too Many Requests: retry after 7", retryable: true, retryAfterSec: 7 },
      });
      expect(await telegramCall(deps, token, "sendMessage", {}, z.unknown())).toMatchObject({ ok: false, error: { errorCode: 302, retryable: false } });
      const notFound = await telegramCall(deps, token, "getChat", {}, z.unknown());
      expect(notFound).toMatchObject({ ok: false, error: { errorCode: 400, retryable: false } });
      expect(JSON.stringify(notFound)).not.toContain("AAsecret");
      expect(server.requests.map((r) => r.path)).toEqual([`/bot${token}/getMe`, `/bot${token}/sendMessage`, `/bot${token}/getChat`]);
      const elsewhere = await telegramCall({ ...deps, apiBase: "http://127.0.0.1:1" }, token, "getMe", {}, z.unknown());
      expect(elsewhere).toMatchObject({ ok: false, error: { errorCode: 0, retryable: false, description: expect.stringContaining("refused") } });
    } finally {
      await server.close();
    }
  });
});

describe.each(testDrivers)("a new lead's message when Telegram fails (%s)", (kind) => {
  let t: TestDb;
  let tg: FakeTelegram;
  let deps: TelegramDeps;
  let tenantId = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    tg = await startFakeTelegram();
    deps = { apiBase: tg.url, egress: telegramEgressPolicy(tg.url), encryptionKey: KEY, appUrl: "https://clicktrail.example" };
    tenantId = (await insertTenant(t.db, { name: "Drama school" })).id;
    await insertNumber(t.db, { tenantId, label: "Sales", phoneE164: "+15550782001", provider: "cloud", verifyToken: `tgjob-${kind}` });
    await connectTelegramBot(t.db, deps, { tenantId, token: tg.token, now: new Date() });
    await t.db.update(telegramBots).set({ chatId: "-1001", chatTitle: "Managers", chatType: "supergroup" }).where(eq(telegramBots.tenantId, tenantId));
  });
  afterAll(async () => {
    await tg?.close();
    await t?.cleanup();
  });

  it("leaves a job that the queue runs later, and the lead is posted once", async () => {
    const { lead } = await createLead(t.db, { tenantId, input: parseCreateLead({ name: "Dina", phone: "+79001112233" }), now: new Date() });
    tg.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    const now = new Date();
    const announced = await announceNewLead(t.db, deps, { tenantId, leadId: lead.id, now });
    await announced.sending;
    const [job] = await t.db.select().from(jobs).where(eq(jobs.dedupeKey, lead.id));
    expect(job).toMatchObject({ kind: TELEGRAM_LEAD_JOB, status: "pending", attempts: 1, lastError: "Bad Gateway" });
    expect((await t.db.select().from(telegramBots).where(eq(telegramBots.tenantId, tenantId)))[0]!.lastError).toContain("Bad Gateway");
    expect(tg.callsOf("sendMessage")).toHaveLength(1);

    const later = new Date(job!.runAt.getTime() + 1000);
    const handlers = { [TELEGRAM_LEAD_JOB]: telegramLeadJobHandler(t.db, deps) };
    expect(await drainJobs(t.db, { handlers, now: () => later, budgetMs: 5000 })).toMatchObject({ claimed: 1, done: 1 });
    expect(tg.callsOf("sendMessage")).toHaveLength(2);
    expect(tg.callsOf("sendMessage")[1]!.body).toMatchObject({ chat_id: "-1001", text: expect.stringContaining("Dina") });
    expect((await t.db.select().from(telegramBots).where(eq(telegramBots.tenantId, tenantId)))[0]!.lastError).toBeNull();
    // announcing it again (a retried request) sends nothing more
    await (
      await announceNewLead(t.db, deps, { tenantId, leadId: lead.id })
    ).sending;
    expect(await drainJobs(t.db, { handlers, now: () => new Date(later.getTime() + 3_600_000), budgetMs: 5000 })).toMatchObject({ claimed: 0 });
    expect(tg.callsOf("sendMessage")).toHaveLength(2);
  });
});
