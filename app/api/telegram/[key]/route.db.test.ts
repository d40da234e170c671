// The managers' Telegram bot end to end against a fake Bot API on 127.0.0.1, with updates posted by the fake to
// this route (served on loopback): connecting (getMe, setWebhook with our URL and a secret), `/link CODE`, forged
// updates refused, a new lead's message, and the call flow 📞 Called → ✅ Yes enrolling the lead in the drip.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertNumber, insertTenant, insertUser } from "@/db/queries";
import { ads, leads, outboundMessages, subscribers, telegramBots, telegramLeadMessages, templates } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeTelegram, startFakeTelegram } from "@/e2e/fakes/fake-telegram";
import { sha256Hex } from "@/lib/crypto";
import { setEnvForTests } from "@/lib/env";
import { announceLeadAfterAnswer } from "@/lib/leads/announce";
import { createLead } from "@/lib/leads/create";
import { parseCreateLead } from "@/lib/leads/schemas";
import { connectTelegramBot, createTelegramUserLinkCode, disconnectTelegramBot, renewTelegramLinkCode, saveTelegramNotices } from "@/lib/telegram/bot";
import { type TelegramDeps, telegramDepsFromEnv } from "@/lib/telegram/client";
import { announceNewLead, notifyNewLead } from "@/lib/telegram/lead-notice";
import { notifyDripFailed } from "@/lib/telegram/notices";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const route = await import("./route");

const GROUP = { id: -100_555_0001, type: "supergroup" as const, title: "Sales managers" };
const STRANGERS = { id: -100_555_0002, type: "group" as const, title: "Somewhere else" };
const MAYA = { id: 4242, first_name: "Maya", username: "maya_calls" };
const OLEG = { id: 4343, first_name: "Oleg" };

/** Our app on loopback: Telegram's POSTs go to the route handler exactly as Next would call it. */
async function startApp(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const key = decodeURIComponent((req.url ?? "").replace(/^\/api\/telegram\//, ""));
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const response = await route.POST(new Request(`http://app${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }), {
      params: Promise.resolve({ key }),
    });
    res.writeHead(response.status, { "content-type": "application/json" });
    res.end(await response.text());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe.each(testDrivers)("managers' Telegram bot (%s)", (kind) => {
  let t: TestDb;
  let tg: FakeTelegram;
  let app: Awaited<ReturnType<typeof startApp>>;
  let restoreEnv: () => void;
  let deps: TelegramDeps;
  let tenantId = "";
  let otherTenantId = "";
  let userId = "";
  let seq = 0;

  const bot = async () => (await t.db.select().from(telegramBots).where(eq(telegramBots.tenantId, tenantId)))[0];
  const leadRow = async (id: string) => (await t.db.select().from(leads).where(eq(leads.id, id)))[0]!;
  const queued = (leadId: string) => t.db.select().from(outboundMessages).where(eq(outboundMessages.leadId, leadId));
  const newLead = async (body: Record<string, unknown>, tenant = tenantId) =>
    (await createLead(t.db, { tenantId: tenant, input: parseCreateLead({ externalRef: `tg-${kind}-${(seq += 1)}`, ...body }), now: new Date() })).lead;
  const lastSent = () => tg.callsOf("sendMessage").at(-1)!.body;
  const messageOf = async (leadId: string) => (await t.db.select().from(telegramLeadMessages).where(eq(telegramLeadMessages.leadId, leadId)))[0]!;

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    tg = await startFakeTelegram();
    app = await startApp();
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"), TELEGRAM_API_BASE: tg.url, APP_URL: app.url });
    deps = telegramDepsFromEnv();
    tenantId = (await insertTenant(t.db, { name: "Drama school" })).id;
    otherTenantId = (await insertTenant(t.db, { name: "Other school" })).id;
    userId = (await insertUser(t.db, { tenantId, email: `maya-${kind}@tg.test`, name: "Maya Manager", role: "manager", passwordHash: "x" })).id;
    await insertNumber(t.db, { tenantId, label: "Sales", phoneE164: "+15550781001", provider: "cloud", verifyToken: `tg-${kind}-1` });
    await insertNumber(t.db, { tenantId: otherTenantId, label: "Theirs", phoneE164: "+15550781002", provider: "cloud", verifyToken: `tg-${kind}-2` });
    await t.db.insert(ads).values({ tenantId, adId: "AD-77", adName: "Spring acting course", campaignName: "Acting 2026" });
    await t.db.insert(subscribers).values({ tenantId, waPhone: "+79001234567", profileName: "Anna K", firstTouchAdId: "AD-77", firstSeenAt: new Date() });
    await t.db.insert(templates).values([
      { tenantId, name: "welcome", title: "Welcome", content: "Hi {{name}}!", delayDays: 0 },
      { tenantId, name: "day1", title: "Day 1", content: "Day 1", delayDays: 1 },
      { tenantId, name: "day3", title: "Day 3", content: "Day 3", delayDays: 3 },
    ]);
  });
  afterAll(async () => {
    restoreEnv?.();
    await app?.close();
    await tg?.close();
    await t?.cleanup();
  });

  it("refuses a token Telegram does not accept with Telegram's own description, and a malformed one before asking", async () => {
    const wrong = `${tg.bot.id}:AAWrongTokenWrongTokenWrongToken_0123`;
    await expect(connectTelegramBot(t.db, deps, { tenantId, token: wrong, now: new Date() })).rejects.toMatchObject({
      code: "unprocessable",
      reason: "telegram_token_refused",
      message: expect.stringContaining('"Unauthorized"'),
    });
    const before = tg.requests.length;
    await expect(connectTelegramBot(t.db, deps, { tenantId, token: "not a token", now: new Date() })).rejects.toThrow(/does not look like a bot token/);
    expect(tg.requests.length).toBe(before);
    expect(await bot()).toBeUndefined();
  });

  it("connects: getMe, setWebhook with our URL and a secret (only its hash stored), and a one-time link code", async () => {
    const { botUsername, linkCode } = await connectTelegramBot(t.db, deps, { tenantId, token: `  ${tg.token} `, now: new Date() });
    expect(botUsername).toBe(tg.bot.username);
    expect(tg.callsOf("getMe")).toHaveLength(1); // the refused token was never recorded as a call
    const row = (await bot())!;
    expect(tg.webhook).toMatchObject({
      url: `${app.url}/api/telegram/${row.webhookKey}`,
      allowed_updates: ["message", "callback_query"],
      drop_pending_updates: true,
    });
    const secret = tg.webhook!.secret_token!;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(row.secretTokenHash).toBe(sha256Hex(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.tokenEnc).not.toContain(tg.token.split(":")[1]);
    expect(row).toMatchObject({ botUsername: tg.bot.username, botId: String(tg.bot.id), chatId: null, notifyNewLead: true });
    expect(linkCode).toMatch(/^[A-Z2-9]{8}$/);
    expect(row.linkCodeHash).not.toContain(linkCode);
  });

  it("refuses forged updates (no secret, a wrong one, an unknown key) and does nothing", async () => {
    const { linkCode } = await renewTelegramLinkCode(t.db, { tenantId, now: new Date() });
    const sends = tg.callsOf("sendMessage").length;
    expect(await tg.sendText(GROUP, MAYA, `/link ${linkCode}`, { secret: null })).toMatchObject({ status: 401, json: { error: { code: "unauthorized" } } });
    expect(await tg.sendText(GROUP, MAYA, `/link ${linkCode}`, { secret: `${tg.webhook!.secret_token}x` })).toMatchObject({ status: 401 });
    const res = await fetch(`${app.url}/api/telegram/AAAAAAAAAAAAAAAAAAAAAAAA`, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": tg.webhook!.secret_token! },
      body: JSON.stringify({ update_id: 1, message: { message_id: 1, chat: GROUP, from: MAYA, text: `/link ${linkCode}` } }),
    });
    expect(res.status).toBe(404);
    const big = await fetch(tg.webhook!.url, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": tg.webhook!.secret_token! },
      body: JSON.stringify({ update_id: 2, message: { message_id: 1, chat: GROUP, from: MAYA, text: `/link ${linkCode}` }, pad: "x".repeat(70_000) }),
    });
    expect(big.status).toBe(413);
    expect((await bot())!.chatId).toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    expect(tg.callsOf("sendMessage")).toHaveLength(sends);
  });

  it("binds the chat with /link CODE; a wrong or expired code is refused with a reply; the code works once", async () => {
    const expired = await renewTelegramLinkCode(t.db, { tenantId, now: new Date(Date.now() - 31 * 60_000) });
    expect((await tg.sendText(GROUP, MAYA, `/link ${expired.linkCode}`)).status).toBe(200);
    await vi.waitFor(() => expect(lastSent()).toMatchObject({ chat_id: String(GROUP.id), text: expect.stringContaining("wrong or has expired") }));
    await tg.sendText(GROUP, MAYA, "/link WRONG123");
    await vi.waitFor(() => expect(tg.callsOf("sendMessage").filter((c) => String(c.body.text).includes("wrong or has expired"))).toHaveLength(2));
    expect((await bot())!.chatId).toBeNull();

    const { linkCode } = await renewTelegramLinkCode(t.db, { tenantId, now: new Date() });
    await tg.sendText(GROUP, MAYA, `/link@${tg.bot.username} ${linkCode.toLowerCase()}`);
    await vi.waitFor(() => expect(lastSent()).toMatchObject({ chat_id: String(GROUP.id), text: expect.stringContaining("Connected to <b>Drama school</b>") }));
    expect(await bot()).toMatchObject({ chatId: String(GROUP.id), chatTitle: "Sales managers", chatType: "supergroup", linkCodeHash: null });

    await tg.sendText(STRANGERS, OLEG, `/link ${linkCode}`);
    await vi.waitFor(() => expect(lastSent()).toMatchObject({ chat_id: String(STRANGERS.id), text: expect.stringContaining("wrong or has expired") }));
    expect((await bot())!.chatId).toBe(String(GROUP.id));
  });

  it("links a console user's Telegram with /me CODE", async () => {
    const { code } = await createTelegramUserLinkCode(t.db, { tenantId, userId, now: new Date() });
    await tg.sendText({ id: MAYA.id, type: "private", first_name: "Maya" }, MAYA, `/me ${code}`);
    await vi.waitFor(() => expect(lastSent()).toMatchObject({ chat_id: String(MAYA.id), text: expect.stringContaining("recorded as <b>Maya Manager</b>") }));
  });

  it("posts a new lead once, with its fields, its ad and a Called button", async () => {
    const lead = await newLead({ name: "Anna <K>", phone: "+7 900 123-45-67", segment: "acting", source: "website" });
    const sends = tg.callsOf("sendMessage").length;
    const first = await announceNewLead(t.db, deps, { tenantId, leadId: lead.id });
    expect(first.queued).toBe(true);
    await first.sending;
    expect(tg.callsOf("sendMessage")).toHaveLength(sends + 1);
    const sent = lastSent();
    expect(sent).toMatchObject({ chat_id: String(GROUP.id), parse_mode: "HTML" });
    for (const part of ["Anna &lt;K&gt;", "+7 900 123 45 67", "Segment: acting", "Source: website", "Ad: Spring acting course · Campaign: Acting 2026"]) {
      expect(String(sent.text)).toContain(part);
    }
    const row = await messageOf(lead.id);
    expect(sent.reply_markup).toEqual({ inline_keyboard: [[{ text: "📞 Called", callback_data: `c:${row.id}` }]] });
    expect(Buffer.byteLength(`c:${row.id}`)).toBeLessThanOrEqual(64);

    await (
      await announceNewLead(t.db, deps, { tenantId, leadId: lead.id })
    ).sending;
    expect(await notifyNewLead(t.db, deps, { tenantId, leadId: lead.id })).toEqual({ skipped: "already_sent" });
    expect(tg.callsOf("sendMessage")).toHaveLength(sends + 1);
  });

  it("a lead created through the API or the console is announced after the answer; a repeated request announces nothing", async () => {
    const lead = await newLead({ name: "Boris Wired", phone: "+7 900 765-43-21", segment: "acting", source: "website" });
    const sends = tg.callsOf("sendMessage").length;
    announceLeadAfterAnswer(t.db, { tenantId, leadId: lead.id, duplicate: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.callsOf("sendMessage")).toHaveLength(sends);
    announceLeadAfterAnswer(t.db, { tenantId, leadId: lead.id, duplicate: false });
    await expect.poll(() => tg.callsOf("sendMessage").length).toBe(sends + 1);
    expect(String(lastSent().text)).toContain("Boris Wired");
  });

  it("Called → Yes enrolls the lead as the console does and the message shows the outcome and who pressed", async () => {
    const lead = await newLead({ name: "Anna", phone: "+79001234567", segment: "acting" });
    await (
      await announceNewLead(t.db, deps, { tenantId, leadId: lead.id })
    ).sending;
    const row = await messageOf(lead.id);
    const messageId = Number(row.messageId);

    // a press from another chat, and one for another workspace's message, do nothing
    const answers = tg.callsOf("answerCallbackQuery").length;
    expect((await tg.press(STRANGERS, OLEG, messageId, `c:${row.id}`)).status).toBe(200);
    const [foreign] = await t.db
      .insert(telegramLeadMessages)
      .values({
        tenantId: otherTenantId,
        leadId: (await newLead({ name: "Theirs", phone: "+79001110009" }, otherTenantId)).id,
        chatId: String(GROUP.id),
        messageId: "1",
      })
      .returning();
    await tg.press(GROUP, OLEG, 1, `c:${foreign!.id}`);
    // a forged press is refused
    expect((await tg.press(GROUP, MAYA, messageId, `y:${row.id}`, { secret: "forged" })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(tg.callsOf("answerCallbackQuery")).toHaveLength(answers);
    expect(await leadRow(lead.id)).toMatchObject({ callStatus: "not_called", isTarget: null });

    await tg.press(GROUP, MAYA, messageId, `c:${row.id}`);
    expect(await leadRow(lead.id)).toMatchObject({ callStatus: "called", isTarget: null, assignedUserId: userId });
    await vi.waitFor(() => expect(tg.messages.get(messageId)!.text).toContain("Target and interested?"));
    expect(tg.messages.get(messageId)!.reply_markup!.inline_keyboard[0]!.map((b) => b.text)).toEqual(["✅ Yes", "❌ No", "No answer"]);

    await tg.press(GROUP, MAYA, messageId, `y:${row.id}`);
    expect(await leadRow(lead.id)).toMatchObject({ callStatus: "called", isTarget: true, campaignActive: true });
    const drip = await queued(lead.id);
    expect(drip).toHaveLength(3);
    expect(drip.every((m) => m.status === "pending")).toBe(true);
    await vi.waitFor(() =>
      expect(tg.messages.get(messageId)!.text).toMatch(/✅ Enrolled — 3 messages queued · by @maya_calls \(Maya Manager\) at \d\d:\d\d UTC/),
    );
    expect(tg.messages.get(messageId)!.reply_markup).toEqual({ inline_keyboard: [] });
    expect(await messageOf(lead.id)).toMatchObject({ step: "done", outcome: "enrolled", actedByTelegramUserId: String(MAYA.id), actedByUserId: userId });

    // pressing again (even No) changes nothing and only hears who recorded it
    const edits = tg.callsOf("editMessageText").length;
    await tg.press(GROUP, OLEG, messageId, `n:${row.id}`);
    await vi.waitFor(() => expect(tg.callsOf("answerCallbackQuery").at(-1)!.body.text).toBe("Already recorded by @maya_calls"));
    expect(await leadRow(lead.id)).toMatchObject({ isTarget: true, campaignActive: true });
    expect(await queued(lead.id)).toHaveLength(3);
    expect(tg.callsOf("editMessageText")).toHaveLength(edits);
  });

  it("Called → No records not-target and enrolls nothing; No answer records no_answer", async () => {
    const no = await newLead({ name: "Boris", phone: "+79001110001" });
    const silent = await newLead({ name: "Vera", phone: "+79001110002" });
    for (const [lead, press, expected] of [
      [no, "n", { callStatus: "called", isTarget: false, campaignActive: false }],
      [silent, "a", { callStatus: "no_answer", isTarget: null, campaignActive: false }],
    ] as const) {
      await (
        await announceNewLead(t.db, deps, { tenantId, leadId: lead.id })
      ).sending;
      const row = await messageOf(lead.id);
      await tg.press(GROUP, OLEG, Number(row.messageId), `c:${row.id}`);
      await tg.press(GROUP, OLEG, Number(row.messageId), `${press}:${row.id}`);
      expect(await leadRow(lead.id)).toMatchObject(expected);
      expect(await queued(lead.id)).toHaveLength(0);
      expect(await messageOf(lead.id)).toMatchObject({ step: "done", actedByTelegramName: "Oleg", actedByUserId: null });
      await vi.waitFor(() => expect(tg.messages.get(Number(row.messageId))!.text).toContain(press === "n" ? "❌ Not target" : "📵 No answer"));
    }
  });

  it("sends nothing when a notice is off, and an optional notice when it is on", async () => {
    const base = { notifyDripReply: false, notifyDripFailed: false, notifyQualityDrop: false };
    await saveTelegramNotices(t.db, { tenantId, notices: { ...base, notifyNewLead: false }, now: new Date() });
    const sends = tg.callsOf("sendMessage").length;
    const lead = await newLead({ name: "Gleb", phone: "+79001110003" });
    expect(await announceNewLead(t.db, deps, { tenantId, leadId: lead.id })).toEqual({ queued: false, sending: null });
    expect(await notifyNewLead(t.db, deps, { tenantId, leadId: lead.id })).toEqual({ skipped: "no_bot" });
    const failed = { tenantId, recipient: "+79001110003", templateName: "welcome", error: "(#131026) Message undeliverable" };
    expect(await notifyDripFailed(t.db, deps, failed)).toEqual({ skipped: "off" });
    expect(tg.callsOf("sendMessage")).toHaveLength(sends);

    await saveTelegramNotices(t.db, { tenantId, notices: { ...base, notifyNewLead: true, notifyDripFailed: true }, now: new Date() });
    expect(await notifyDripFailed(t.db, deps, failed)).toMatchObject({ sent: expect.any(String) });
    expect(lastSent().text).toContain("Drip message “welcome” to +7 900 111 00 03 failed: (#131026) Message undeliverable");
    // a workspace without a bot
    expect(await notifyDripFailed(t.db, deps, { ...failed, tenantId: otherTenantId })).toEqual({ skipped: "off" });
  });

  it("follows the group when Telegram upgrades it to a supergroup (new chat id): the bot and its lead messages move", async () => {
    const upgraded = -100_555_0009;
    const before = await t.db.select().from(telegramLeadMessages).where(eq(telegramLeadMessages.tenantId, tenantId));
    expect(before.length).toBeGreaterThan(0);
    // another chat's migration is not ours
    await tg.sendUpdate({ message: { message_id: 900, chat: STRANGERS, migrate_to_chat_id: -100_555_0008 } });
    expect((await bot())!.chatId).toBe(String(GROUP.id));
    expect((await tg.sendUpdate({ message: { message_id: 901, chat: GROUP, migrate_to_chat_id: upgraded } })).status).toBe(200);
    expect((await bot())!.chatId).toBe(String(upgraded));
    const after = await t.db.select().from(telegramLeadMessages).where(eq(telegramLeadMessages.tenantId, tenantId));
    expect(after.every((m) => m.chatId === String(upgraded))).toBe(true);
  });

  it("disconnects: deleteWebhook at Telegram, the bot removed, its old address answers 404", async () => {
    const key = (await bot())!.webhookKey;
    const secret = tg.webhook!.secret_token!;
    expect(await disconnectTelegramBot(t.db, deps, { tenantId })).toEqual({ webhookDeleted: true });
    expect(tg.webhook).toBeNull();
    expect(await bot()).toBeUndefined();
    const res = await fetch(`${app.url}/api/telegram/${key}`, { method: "POST", headers: { "x-telegram-bot-api-secret-token": secret }, body: "{}" });
    expect(res.status).toBe(404);
    expect(
      await t.db
        .select()
        .from(telegramLeadMessages)
        .where(and(eq(telegramLeadMessages.tenantId, tenantId))),
    ).not.toHaveLength(0);
  });
});
