// The optional notices in the managers' chat, wired to the facts they tell, against a fake Telegram on 127.0.0.1
// (TELEGRAM_API_BASE): a drip message that failed (the drip run), a number's quality that dropped and a reply to a
// drip (the webhook ingestion). Each is sent after its transaction committed, only where the bot has it on, once.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertNumber, insertTenant } from "@/db/queries";
import { leads, outboundMessages, subscribers, telegramBots, templates, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeTelegram, startFakeTelegram } from "@/e2e/fakes/fake-telegram";
import { runDrip } from "@/lib/drip/dispatch";
import { setEnvForTests } from "@/lib/env";
import { qualityDrop } from "@/lib/whatsapp/ingest-account";
import { ingestCloudPayload } from "@/test/ingest-webhook";
import { connectTelegramBot, saveTelegramNotices } from "./bot";
import { type TelegramDeps, telegramEgressPolicy } from "./client";
import { MAX_NOTICES_PER_BATCH, noticesSettled, sendNotices } from "./notices";

const KEY = Buffer.alloc(32, 11).toString("base64");
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));

describe("which quality updates are drops", () => {
  const was = (qualityRating: string | null, messagingLimitTier: string | null = "TIER_1K") => ({ qualityRating, messagingLimitTier });
  it("tells a fall of the rating and Meta's downgrade, never a rise or a repeat", () => {
    expect(qualityDrop(was("GREEN"), { quality: "RED", tier: null, downgrade: false })).toEqual({ from: "GREEN", to: "RED" });
    expect(qualityDrop(was("YELLOW"), { quality: "RED", tier: null, downgrade: false })).toEqual({ from: "YELLOW", to: "RED" });
    expect(qualityDrop(was(null), { quality: "RED", tier: null, downgrade: false })).toEqual({ from: null, to: "RED" });
    expect(qualityDrop(was("RED"), { quality: "RED", tier: null, downgrade: false })).toBeNull();
    expect(qualityDrop(was("RED"), { quality: "GREEN", tier: null, downgrade: false })).toBeNull();
    expect(qualityDrop(was(null), { quality: "GREEN", tier: null, downgrade: false })).toBeNull();
    expect(qualityDrop(was("GREEN"), { tier: "TIER_250", downgrade: true })).toEqual({ from: "TIER_1K", to: "TIER_250 (messaging limit downgraded)" });
    expect(qualityDrop(was("GREEN", "TIER_250"), { tier: "TIER_250", downgrade: true })).toBeNull(); // a replay
    expect(qualityDrop(was("GREEN"), { tier: "TIER_10K", downgrade: false })).toBeNull(); // an upgrade
  });
});

describe.each(testDrivers)("the managers' optional Telegram notices (%s)", (kind) => {
  let t: TestDb;
  let tg: FakeTelegram;
  let deps: TelegramDeps;
  let restoreEnv: () => void;
  let n = 0;

  beforeAll(async () => {
    t = await createTestDb(kind);
    tg = await startFakeTelegram();
    deps = { apiBase: tg.url, egress: telegramEgressPolicy(tg.url), encryptionKey: KEY, appUrl: "https://clicktrail.example" };
    // the ingestion takes its Telegram access from the environment, as in production
    restoreEnv = setEnvForTests({ TELEGRAM_API_BASE: tg.url, ENCRYPTION_KEY: KEY, APP_URL: "https://clicktrail.example" });
  });
  afterAll(async () => {
    restoreEnv?.();
    await tg?.close();
    await t?.cleanup();
  });
  beforeEach(async () => {
    await noticesSettled();
    tg.calls.length = 0;
  });

  type Notices = Partial<Pick<typeof telegramBots.$inferInsert, "notifyDripReply" | "notifyDripFailed" | "notifyQualityDrop">>;

  /** A workspace with a Cloud number and, unless `bot` is null, a bot linked to its own chat with these notices on. */
  async function workspace(bot: Notices | null) {
    n += 1;
    const tenantId = (await insertTenant(t.db, { name: `Notices ${kind} ${n}` })).id;
    const number = await insertNumber(t.db, {
      tenantId,
      label: `Sales ${n}`,
      phoneE164: `+1555078${String(2000 + n)}`,
      provider: "cloud",
      phoneNumberId: `${kind === "pglite" ? 6 : 5}40000000${String(n).padStart(4, "0")}`,
      wabaId: `WABA-NOTICES-${kind}-${n}`,
      verifyToken: randomUUID(),
      active: true,
    });
    const chatId = `-100${kind === "pglite" ? 1 : 2}${String(n).padStart(4, "0")}`;
    if (bot) {
      await connectTelegramBot(t.db, deps, { tenantId, token: tg.token, now: new Date() });
      await t.db
        .update(telegramBots)
        .set({ chatId, chatTitle: "Managers", chatType: "supergroup", ...bot })
        .where(eq(telegramBots.tenantId, tenantId));
    }
    return { tenantId, number, chatId };
  }
  type Workspace = Awaited<ReturnType<typeof workspace>>;

  const sentTo = (chatId: string) => tg.callsOf("sendMessage").filter((c) => c.body.chat_id === chatId);
  const textsTo = (chatId: string) => sentTo(chatId).map((c) => String(c.body.text));

  async function ingest(payload: unknown) {
    expect((await ingestCloudPayload(t.db, payload)).summary.processed).toBe(1);
    await noticesSettled();
  }

  describe("a drip message failed", () => {
    /** A running lead with a due row whose template uses a variable nobody has: the run fails it without sending. */
    async function failingRow(w: Workspace, leadName: string, phone: string) {
      const [lead] = await t.db.insert(leads).values({ tenantId: w.tenantId, name: leadName, phone, numberId: w.number.id, campaignActive: true }).returning();
      const [template] = await t.db
        .insert(templates)
        .values({ tenantId: w.tenantId, name: `day1-${n}`, title: "Day 1 <welcome>", content: "Hi {{shoe_size}}", delayDays: 0 })
        .returning();
      await t.db.insert(outboundMessages).values({
        tenantId: w.tenantId,
        numberId: w.number.id,
        leadId: lead!.id,
        templateId: template!.id,
        templateName: template!.title,
        phone,
        scheduledAt: new Date(Date.now() - 60_000),
        status: "pending",
      });
      return template!;
    }
    const run = () => runDrip(t.db, { encryptionKey: KEY, graph: { base: "http://127.0.0.1:1", version: "v24.0" }, telegram: deps }, { budgetMs: 5000 });

    it("is told once per failed row, with the lead, the template and the error; a workspace with the notice off hears nothing", async () => {
      const on = await workspace({ notifyDripFailed: true });
      const off = await workspace({ notifyDripFailed: false, notifyDripReply: true, notifyQualityDrop: true });
      const none = await workspace(null);
      const template = await failingRow(on, "Dina & Co", "+79001112233");
      await failingRow(off, "Oleg", "+79001112234");
      await failingRow(none, "Nina", "+79001112235");
      expect(await run()).toMatchObject({ failed: 3 });
      await noticesSettled();
      expect(textsTo(on.chatId)).toEqual([expect.stringContaining("Dina &amp; Co")]);
      const [text] = textsTo(on.chatId);
      expect(text).toContain(`“${template.title.replace("<", "&lt;").replace(">", "&gt;")}”`);
      expect(text).toContain("+7 900 111 22 33");
      expect(text).toContain("unknown variables: {{shoe_size}}");
      expect(sentTo(on.chatId)[0]!.body.parse_mode).toBe("HTML");
      expect(textsTo(off.chatId)).toEqual([]);
      expect(tg.callsOf("sendMessage")).toHaveLength(1);
      // nothing more on the next run (the row is settled)
      expect(await run()).toMatchObject({ claimed: 0 });
      await noticesSettled();
      expect(tg.callsOf("sendMessage")).toHaveLength(1);
    });

    it("a row whose run stopped mid-send (send_unconfirmed) is told too", async () => {
      const on = await workspace({ notifyDripFailed: true });
      const [lead] = await t.db
        .insert(leads)
        .values({ tenantId: on.tenantId, name: "Vera", phone: "+79001112237", numberId: on.number.id, campaignActive: true })
        .returning();
      await t.db.insert(outboundMessages).values({
        tenantId: on.tenantId,
        numberId: on.number.id,
        leadId: lead!.id,
        templateName: "day2",
        phone: "+79001112237",
        scheduledAt: new Date(Date.now() - 600_000),
        status: "sending",
        attempts: 1,
        leaseOwner: randomUUID(),
        leaseExpiresAt: new Date(Date.now() - 60_000),
        sendStartedAt: new Date(Date.now() - 300_000),
      });
      expect(await run()).toMatchObject({ failed: 1 });
      await noticesSettled();
      expect(textsTo(on.chatId)).toEqual([expect.stringMatching(/“day2” to Vera \(\+7 900 111 22 37\) failed: The run sending this message stopped/)]);
    });

    it("a Telegram failure never fails the run: it is kept on the bot's card", async () => {
      const on = await workspace({ notifyDripFailed: true });
      await failingRow(on, "Dina", "+79001112236");
      tg.failNext("sendMessage", { error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" });
      expect(await run()).toMatchObject({ failed: 1 });
      await noticesSettled();
      const [bot] = await t.db.select().from(telegramBots).where(eq(telegramBots.tenantId, on.tenantId));
      expect(bot!.lastError).toBe("Notice not sent: Forbidden: bot was kicked from the supergroup chat");
    });
  });

  describe("a number's quality dropped", () => {
    const quality = (w: Workspace, event: string, limit?: string) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.number.wabaId,
          time: Number(unix(new Date())),
          changes: [
            {
              field: "phone_number_quality_update",
              value: { display_phone_number: w.number.phoneE164.slice(1), event, ...(limit ? { current_limit: limit } : {}) },
            },
          ],
        },
      ],
    });

    it("FLAGGED (GREEN → RED) is told once; a replay, an UNFLAGGED and an upgrade are not; a workspace with the notice off hears nothing", async () => {
      const on = await workspace({ notifyQualityDrop: true });
      const off = await workspace({ notifyQualityDrop: false, notifyDripFailed: true, notifyDripReply: true });
      for (const w of [on, off]) await t.db.update(whatsappNumbers).set({ qualityRating: "GREEN" }).where(eq(whatsappNumbers.id, w.number.id));
      await ingest(quality(on, "FLAGGED"));
      await ingest(quality(on, "FLAGGED")); // Meta again: already RED
      await ingest(quality(off, "FLAGGED"));
      expect(textsTo(on.chatId)).toEqual([`📉 Quality of Sales ${n - 1} (${"+1 555 078 " + String(2000 + n - 1)}) dropped: GREEN → <b>RED</b>`]);
      await ingest(quality(on, "UNFLAGGED"));
      await ingest(quality(on, "THROUGHPUT_UPGRADE", "TIER_UNLIMITED"));
      expect(textsTo(on.chatId)).toHaveLength(1);
      await ingest(quality(on, "DOWNGRADE", "TIER_250"));
      expect(textsTo(on.chatId)).toHaveLength(2);
      expect(textsTo(on.chatId)[1]).toContain("TIER_UNLIMITED → <b>TIER_250 (messaging limit downgraded)</b>");
      expect(textsTo(off.chatId)).toEqual([]);
    });
  });

  describe("a subscriber replied to a drip", () => {
    const message = (w: Workspace, from: string, texts: string[], at = new Date()) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.number.wabaId,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: w.number.phoneE164.slice(1), phone_number_id: w.number.phoneNumberId },
                contacts: [{ profile: { name: "Olga" }, wa_id: from }],
                messages: texts.map((body, i) => ({
                  from,
                  id: `wamid.NOTICE.${kind}.${randomUUID()}`,
                  timestamp: unix(new Date(at.getTime() + i * 1000)),
                  type: "text",
                  text: { body },
                })),
              },
            },
          ],
        },
      ],
    });
    /** A lead of this phone whose drip is running (`running: false`: enrolled once, then stopped). */
    async function lead(w: Workspace, name: string, phone: string, running = true) {
      await t.db.insert(leads).values({ tenantId: w.tenantId, name, phone, numberId: w.number.id, campaignActive: running, enrolledAt: new Date() });
    }

    it("is told once per reply batch of a subscriber with a running drip, with the lead's name and the last words", async () => {
      const on = await workspace({ notifyDripReply: true });
      await lead(on, "Olga Ivanova", "+79161234501");
      await lead(on, "Stopped Lead", "+79161234502", false);
      await ingest(message(on, "79161234501", ["Hello", "How much is the course?"]));
      await ingest(message(on, "79161234502", ["Hi"])); // their drip is not running
      await ingest(message(on, "79161234503", ["Who are you?"])); // no lead at all
      expect(textsTo(on.chatId)).toEqual([`💬 <b>Olga Ivanova</b> (+7 916 123 45 01) replied to a drip message\n«How much is the course?»`]);
      await ingest(message(on, "79161234501", ["Anyone?"], new Date(Date.now() + 60_000)));
      expect(textsTo(on.chatId)).toHaveLength(2);
      const [s] = await t.db.select().from(subscribers).where(eq(subscribers.waPhone, "+79161234501"));
      expect(s!.tenantId).toBe(on.tenantId);
    });

    it("says nothing where the notice is off or there is no bot", async () => {
      const off = await workspace({ notifyDripReply: false, notifyDripFailed: true, notifyQualityDrop: true });
      const none = await workspace(null);
      await lead(off, "Olga", "+79161234511");
      await lead(none, "Olga", "+79161234512");
      await ingest(message(off, "79161234511", ["Hello"]));
      await ingest(message(none, "79161234512", ["Hello"]));
      expect(tg.callsOf("sendMessage")).toEqual([]);
    });
  });

  it("follows the toggles saved from the settings card (saveTelegramNotices), each notice on its own", async () => {
    const w = await workspace({});
    const one = (kind: "notifyDripReply" | "notifyDripFailed" | "notifyQualityDrop") => {
      if (kind === "notifyDripReply") return { kind, tenantId: w.tenantId, name: "Olga", phone: "+79161234599", text: "Hi", leadName: "Olga" };
      if (kind === "notifyDripFailed") return { kind, tenantId: w.tenantId, recipient: "+79161234599", templateName: "day1", error: "boom" };
      return { kind, tenantId: w.tenantId, numberLabel: "Sales", phone: "+15550782001", from: "GREEN", to: "YELLOW" };
    };
    const all = [one("notifyDripReply"), one("notifyDripFailed"), one("notifyQualityDrop")];
    const none = { notifyNewLead: true, notifyDripReply: false, notifyDripFailed: false, notifyQualityDrop: false };
    expect((await sendNotices(t.db, deps, all)).map((r) => "skipped" in r && r.skipped)).toEqual(["off", "off", "off"]);
    for (const key of ["notifyDripReply", "notifyDripFailed", "notifyQualityDrop"] as const) {
      await saveTelegramNotices(t.db, { tenantId: w.tenantId, notices: { ...none, [key]: true }, now: new Date() });
      const results = await sendNotices(t.db, deps, all);
      expect(results.map((r) => "sent" in r)).toEqual(all.map((x) => x.kind === key));
    }
    expect(textsTo(w.chatId).map((x) => x.slice(0, 2))).toEqual(["💬", "⚠️".slice(0, 2), "📉"]);
  });

  it(`sends at most ${MAX_NOTICES_PER_BATCH} messages of a kind per batch: the last sums up the rest`, async () => {
    const on = await workspace({ notifyDripFailed: true });
    const many = Array.from({ length: MAX_NOTICES_PER_BATCH + 5 }, (_, i) => ({
      kind: "notifyDripFailed" as const,
      tenantId: on.tenantId,
      recipient: `+7900111${String(3000 + i)}`,
      templateName: "day1",
      error: "Meta chose not to deliver",
    }));
    const results = await sendNotices(t.db, deps, many);
    expect(textsTo(on.chatId)).toHaveLength(MAX_NOTICES_PER_BATCH);
    expect(textsTo(on.chatId).at(-1)).toBe("…and 6 more failed drip messages");
    expect(results.every((r) => "sent" in r)).toBe(true);
  });
});
