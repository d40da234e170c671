// Conformance: every real-world payload of ../shared/corpus/webhooks (84, see its MANIFEST.md) and
// ../shared/corpus/peer (60, from other projects' tests and docs) goes through the parser and the ingester
// without an error, and every fact it states lands in the database. The facts are read off the raw JSON
// here, independently of the parser: messages (id, direction, type, text), senders (phone, user id,
// profile name), ad referrals (click id, ad id), delivery statuses (on a message we sent), opt-in/out,
// marketing preferences, account, quality and template updates. A clone of the project has no ../shared:
// vitest.config.ts then leaves this file out and prints one line saying so.
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MESSAGE_STATUS_RANK, getMessageByWamid, getNumberById, getSubscriberByUserId, getSubscriberByWaPhone, insertNumber, insertTenant } from "@/db/queries";
import { conversations, messages, subscribers, templates, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { parseGupshupWebhook } from "@/lib/gupshup/parse";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { extractPhoneNumberIds, parseMetaWebhook } from "@/lib/whatsapp/parse";
import { storeWebhookEvent } from "@/lib/whatsapp/store";

const CORPUS_ROOT = path.resolve(import.meta.dirname, "../../../shared/corpus");
const corpora = ["webhooks", "peer"].map((name) => ({ name, dir: path.join(CORPUS_ROOT, name) }));
const present = corpora.every((c) => existsSync(c.dir));
const files = present
  ? corpora.flatMap((c) =>
      readdirSync(c.dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => ({ corpus: c.name, file: f, full: path.join(c.dir, f) })),
    )
  : [];

// ------------------------------------------------------------------------------------ reading the JSON

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : null);
const digits = (v: string | null) => (v ?? "").replace(/@.*$/, "").replace(/\D/g, "");
// a phone as the payload states it; docs that mask ("918x98xx21x4") or template ("<WHATSAPP_USER_ID>") state none
const e164 = (v: string | null) => (v && !/[a-z<>]/i.test(v.replace(/@.*$/, "")) && digits(v).length >= 7 ? `+${digits(v)}` : null);

type MessageFact = {
  id: string;
  direction: "inbound" | "outbound" | null;
  type: string | null;
  text: string | null;
  phone: string | null;
  userId: string | null;
  thread?: boolean;
  names: string[];
  referral: { clid: string | null; sourceId: string | null; sourceType: string | null } | null;
};
type StatusFact = { ids: string[]; statuses: string[]; errorCode: string | null; recipient: string | null };
type Facts = {
  provider: "cloud" | "gupshup";
  pnids: string[];
  wabaId: string | null;
  display: string | null;
  messages: MessageFact[];
  statuses: StatusFact[];
  optEvents: { phone: string; optIn: boolean }[];
  preferences: { phone: string | null; userId: string | null; category: string; value: string; at: number }[];
  account: string[];
  quality: { event: string | null; limit: string | null }[];
  templates: { name: string; language: string | null; event: string }[];
};

const CONTENT_KEYS = [
  "text",
  "image",
  "video",
  "audio",
  "voice",
  "document",
  "sticker",
  "location",
  "contacts",
  "interactive",
  "button",
  "reaction",
  "order",
  "system",
];

function contactNames(contacts: unknown[], from: string | null, userId: string | null): string[] {
  const all = contacts.map(obj).filter((c): c is Json => c !== null);
  const mine = all.filter((c) => (from && digits(str(c.wa_id)) === digits(from)) || (userId && str(c.user_id) === userId));
  const chosen = mine.length > 0 ? mine : all.length === 1 ? all : [];
  return chosen.flatMap((c) => (str(obj(c.profile)?.name) ? [str(obj(c.profile)?.name)!] : []));
}

function referralOf(raw: unknown): MessageFact["referral"] {
  const r = obj(raw);
  return r ? { clid: str(r.ctwa_clid), sourceId: str(r.source_id), sourceType: str(r.source_type) } : null;
}

function metaMessage(raw: unknown, contacts: unknown[], direction: MessageFact["direction"]): MessageFact | null {
  const m = obj(raw);
  const id = str(m?.id);
  if (!m || !id) return null;
  const type = str(m.type) ?? CONTENT_KEYS.find((k) => m[k] !== undefined) ?? null;
  // a message that names no sender is the lone contact's (system messages of a user-id rotation)
  const lone = direction === "inbound" && contacts.length === 1 && !str(m.from) && !str(m.from_user_id) ? obj(contacts[0]) : null;
  const from = direction === "outbound" ? str(m.to) : (str(m.from) ?? str(lone?.wa_id));
  const userId = direction === "outbound" ? str(m.to_user_id) : (str(m.from_user_id) ?? str(lone?.user_id));
  return {
    id,
    direction,
    type,
    text: type === "text" ? str(obj(m.text)?.body) : null,
    phone: e164(from),
    userId,
    names: direction === "outbound" ? [] : contactNames(contacts, from, userId),
    referral: referralOf(m.referral),
  };
}

function metaStatus(raw: unknown): StatusFact | null {
  const s = obj(raw);
  const id = str(s?.id);
  if (!s || !id) return null;
  const error = obj(arr(s.errors)[0]);
  const code = str(error?.code) ?? str(s.code);
  return {
    ids: [id, str(s.meta_msg_id), str(s.gs_id)].filter((x): x is string => !!x),
    statuses: [str(s.status) ?? "unknown"],
    errorCode: code,
    recipient: str(s.recipient_id),
  };
}

function readMeta(body: Json, facts: Facts): void {
  for (const entry of arr(body.entry).map(obj)) {
    if (!entry) continue;
    facts.wabaId ??= str(entry.id);
    for (const change of arr(entry.changes).map(obj)) {
      const value = obj(change?.value);
      if (!value) continue;
      const pnid = str(obj(value.metadata)?.phone_number_id);
      if (pnid && !facts.pnids.includes(pnid)) facts.pnids.push(pnid);
      facts.display ??= str(value.display_phone_number) ?? str(obj(value.metadata)?.display_phone_number);
      const field = str(change?.field);
      const contacts = arr(value.contacts);
      for (const m of arr(value.messages)) {
        const fact = metaMessage(m, contacts, "inbound");
        if (fact) facts.messages.push(fact);
      }
      for (const m of arr(value.message_echoes)) {
        const fact = metaMessage(m, [], "outbound");
        if (fact) facts.messages.push(fact);
      }
      for (const chunk of arr(value.history).map(obj)) {
        for (const thread of arr(chunk?.threads).map(obj)) {
          for (const m of arr(thread?.messages)) {
            const fact = metaMessage(m, [], null);
            if (fact) facts.messages.push({ ...fact, phone: null, userId: null, names: [], thread: true }); // either side of the chat
          }
        }
      }
      for (const s of arr(value.statuses)) {
        const fact = metaStatus(s);
        if (fact) facts.statuses.push(fact);
      }
      for (const p of arr(value.user_preferences).map(obj)) {
        const category = str(p?.category);
        const choice = str(p?.value);
        if (p && category && choice)
          facts.preferences.push({ phone: e164(str(p.wa_id)), userId: str(p.user_id), category, value: choice, at: Number(str(p.timestamp) ?? 0) });
      }
      const event = str(value.event);
      if (field === "account_update" && event) facts.account.push(event);
      if (field === "phone_number_quality_update")
        facts.quality.push({ event, limit: str(value.current_limit) ?? str(value.max_daily_conversations_per_business) });
      const templateName = str(value.message_template_name);
      if (field === "message_template_status_update" && templateName && event)
        facts.templates.push({ name: templateName, language: str(value.message_template_language), event });
    }
  }
}

function readGupshupV2(body: Json, facts: Facts): void {
  const p = obj(body.payload) ?? {};
  const inner = obj(p.payload) ?? {};
  switch (str(body.type)) {
    case "message": {
      const sender = obj(p.sender) ?? {};
      const phone = str(p.source) ?? str(sender.phone);
      const type = str(p.type);
      facts.messages.push({
        id: str(p.id)!,
        direction: "inbound",
        type: null,
        text: type === "text" ? str(inner.text) : null,
        phone: e164(phone),
        userId: str(sender.userId),
        names: str(sender.name) ? [str(sender.name)!] : [],
        referral: referralOf(p.referral),
      });
      break;
    }
    case "message-event": {
      const ids = [str(p.id), str(p.gsId), str(inner.whatsappMessageId)].filter((x): x is string => !!x);
      facts.statuses.push({ ids, statuses: [str(p.type) ?? "unknown"], errorCode: str(inner.code), recipient: str(p.destination) });
      break;
    }
    case "user-event": {
      const phone = e164(str(p.phone));
      const type = str(p.type);
      if (phone && (type === "opted-in" || type === "opted-out")) facts.optEvents.push({ phone, optIn: type === "opted-in" });
      break;
    }
  }
}

/** A bare `value` fragment (as one corpus file is published) is wrapped the way Meta delivers it. */
function asDelivered(json: Json): Json {
  if (json.entry !== undefined || json.type !== undefined) return json;
  return { object: "whatsapp_business_account", entry: [{ id: "310000000000999", changes: [{ field: "messages", value: json }] }] };
}

function readFacts(file: string, json: Json): Facts {
  const gupshup = /^(gupshup|glific)-/.test(file) || json.gs_app_id !== undefined;
  const facts: Facts = {
    provider: gupshup ? "gupshup" : "cloud",
    pnids: [],
    wabaId: null,
    display: null,
    messages: [],
    statuses: [],
    optEvents: [],
    preferences: [],
    account: [],
    quality: [],
    templates: [],
  };
  if (Array.isArray(json.entry)) readMeta(json, facts);
  else readGupshupV2(json, facts);
  // one message delivered twice in a batch is one message
  const seen = new Set<string>();
  facts.messages = facts.messages.filter((m) => !seen.has(m.id) && seen.add(m.id));
  const byId = new Map<string, StatusFact>();
  for (const s of facts.statuses) {
    const known = s.ids.map((id) => byId.get(id)).find(Boolean);
    if (known) {
      known.statuses.push(...s.statuses);
      known.errorCode ??= s.errorCode;
    } else for (const id of s.ids) byId.set(id, s);
  }
  facts.statuses = [...new Set(byId.values())];
  return facts;
}

// what a provider status means for our message row (unknown statuses change nothing)
const STATUS_MEANS: Record<string, string> = {
  sent: "sent",
  delivered: "delivered",
  read: "read",
  played: "read",
  failed: "failed",
  deleted: "deleted",
  enqueued: "accepted",
};
const rank = (s: string) => MESSAGE_STATUS_RANK[s] ?? 0;
const ACCOUNT_PROBLEMS = new Set([
  "ACCOUNT_VIOLATION",
  "ACCOUNT_RESTRICTION",
  "ACCOUNT_DELETED",
  "DISABLED_UPDATE",
  "PARTNER_APP_UNINSTALLED",
  "PARTNER_REMOVED",
]);
const SEEDED_AT = new Date("2015-01-01T00:00:00.000Z");

// -------------------------------------------------------------------------------------------- the suite

describe.skipIf(!present).each(testDrivers)("shared corpora conformance (%s)", (kind) => {
  let t: TestDb;
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t?.cleanup());

  it("finds both corpora (84 + 60 payloads)", () => {
    expect(files.filter((f) => f.corpus === "webhooks")).toHaveLength(84);
    expect(files.filter((f) => f.corpus === "peer")).toHaveLength(60);
  });

  it.each(files.map((f) => [`${f.corpus}/${f.file}`, f] as const))("%s: parsed, ingested, every fact lands", async (_name, f) => {
    const json = asDelivered(JSON.parse(readFileSync(f.full, "utf8")) as Json);
    const facts = readFacts(f.file, json);
    const rawBody = JSON.stringify(json);

    // the parser: never an error, nothing left unhandled
    const parsed = facts.provider === "gupshup" ? parseGupshupWebhook(json) : parseMetaWebhook(json);
    expect(parsed.items.length).toBeGreaterThan(0);
    expect(parsed.items.filter((i) => i.kind === "ignored")).toEqual([]);

    // a workspace of its own with the number(s) the payload names
    seq += 1;
    const tenant = await insertTenant(t.db, { name: `Conformance ${seq}` });
    const tenantId = tenant.id;
    const pnids = facts.provider === "cloud" && facts.pnids.length > 0 ? facts.pnids : [`39${String(seq).padStart(13, "0")}`];
    const display = e164(facts.display);
    const numbers = [];
    for (const [i, pnid] of pnids.entries()) {
      numbers.push(
        await insertNumber(t.db, {
          tenantId,
          label: `Conformance ${seq}.${i}`,
          phoneE164: (i === 0 && display) || `+1555${String(seq * 10 + i).padStart(7, "0")}`,
          provider: facts.provider,
          phoneNumberId: pnid,
          wabaId: facts.wabaId,
          verifyToken: randomUUID(),
        }),
      );
    }
    const number = numbers[0]!;
    try {
      await checkFacts(tenantId, number, facts, json, rawBody);
    } finally {
      // Phone Number IDs are unique across workspaces: free them for the next payload that names them
      await t.db.update(whatsappNumbers).set({ phoneNumberId: null }).where(eq(whatsappNumbers.tenantId, tenantId));
    }
  });

  async function checkFacts(tenantId: string, number: { id: string }, facts: Facts, json: Json, rawBody: string) {
    // what we sent before, so that delivery statuses have a message to land on
    for (const [i, s] of facts.statuses.entries()) {
      const phone = e164(s.recipient) ?? `+1666${String(seq * 100 + i).padStart(7, "0")}`;
      const [sub] = await t.db
        .insert(subscribers)
        .values({ tenantId, waPhone: phone, waId: digits(phone), numberId: number.id, firstSeenAt: SEEDED_AT })
        .onConflictDoNothing()
        .returning();
      const subscriberId = sub?.id ?? (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: phone }))!.id;
      await t.db.insert(messages).values({
        tenantId,
        subscriberId,
        numberId: number.id,
        direction: "outbound",
        wamid: s.ids[0]!,
        type: "text",
        status: "accepted",
        providerTimestamp: SEEDED_AT,
      });
    }
    for (const tpl of facts.templates) {
      await t.db.insert(templates).values({
        tenantId,
        name: `bound_${seq}`,
        title: "Bound",
        content: "Hi {{name}}",
        metaTemplate: { name: tpl.name, language: tpl.language ?? "en_US", parameters: [] },
      });
    }

    // the ingester: stored, processed, routed
    const ingest = async () => {
      const event = await storeWebhookEvent(t.db, {
        provider: facts.provider,
        rawBody,
        signatureResult: facts.provider === "gupshup" ? "not_required" : "valid",
        routedPhoneNumberIds: facts.provider === "cloud" ? extractPhoneNumberIds(json) : [],
        tenantId,
        numberId: number.id,
      });
      return processWebhookEvents(t.db, { ids: [event.id], now: new Date() });
    };
    const summary = await ingest();
    expect(summary.outcomes).toEqual([expect.objectContaining({ status: "processed", error: null })]);

    const subscriberOf = async (phone: string | null, userId: string | null) =>
      (phone ? await getSubscriberByWaPhone(t.db, { tenantId, waPhone: phone }) : null) ??
      (userId ? await getSubscriberByUserId(t.db, { tenantId, userId }) : null);

    for (const m of facts.messages) {
      const row = await getMessageByWamid(t.db, { tenantId, wamid: m.id });
      if (!m.phone && !m.userId && !m.thread) {
        // docs that mask or template the sender ("91XXXXX4", "<WHATSAPP_USER_ID>"): nobody to attribute it to,
        // so no message row; the raw event keeps it (processed, not failed)
        expect(row, `message ${m.id} of a masked sender`).toBeNull();
        continue;
      }
      expect(row, `message ${m.id} stored`).not.toBeNull();
      if (m.direction) expect(row!.direction).toBe(m.direction);
      if (m.type && facts.provider === "cloud") expect(row!.type).toBe(m.type);
      if (m.text) {
        // the preview is the text (cut at 500 characters), or for a quick-reply button its label with an icon
        const body = m.text.replace(/\s+/g, " ").trim();
        const preview = (row!.textPreview ?? "").replace(/…$/, "");
        expect(preview.length > 0 && (body.startsWith(preview) || preview.endsWith(body)), `preview of ${m.id}: ${preview}`).toBe(true);
      }
      if (m.phone || m.userId) {
        const s = await subscriberOf(m.phone, m.userId);
        expect(s, `subscriber of ${m.id}`).not.toBeNull();
        expect(row!.subscriberId).toBe(s!.id);
        if (m.userId && m.phone && s!.waPhone === m.phone) expect(s!.userId).toBe(m.userId);
        if (m.names.length > 0) expect(m.names).toContain(s!.profileName);
      }
      if (m.referral?.clid) {
        const [c] = await t.db
          .select()
          .from(conversations)
          .where(and(eq(conversations.tenantId, tenantId), eq(conversations.ctwaClid, m.referral.clid)));
        expect(c, `conversation of click ${m.referral.clid}`).toBeDefined();
        expect(c!.sourceId).toBe(m.referral.sourceId);
        expect(c!.adId).toBe(m.referral.sourceType === "ad" ? m.referral.sourceId : null);
        expect(row!.conversationId).toBe(c!.id);
      }
    }

    for (const s of facts.statuses) {
      const row = (await getMessageByWamid(t.db, { tenantId, wamid: s.ids[0]! }))!;
      const known = s.statuses.flatMap((x) => (STATUS_MEANS[x] ? [STATUS_MEANS[x]] : []));
      const expected = known.reduce((best, x) => (rank(x) > rank(best) ? x : best), "accepted");
      expect(row.status, `status of ${s.ids[0]}`).toBe(expected);
      if (known.includes("failed")) {
        expect(row.failedAt).not.toBeNull();
        if (s.errorCode) expect(row.errorCode).toBe(String(Number(s.errorCode)));
      }
    }

    for (const o of facts.optEvents) {
      const s = await subscriberOf(o.phone, null);
      expect(s, `subscriber ${o.phone}`).toMatchObject({ optInStatus: o.optIn, status: o.optIn ? "active" : "opted_out" });
    }

    const latest = new Map<string, (typeof facts.preferences)[number]>();
    for (const p of facts.preferences) {
      const key = `${p.phone ?? p.userId}:${p.category}`;
      if ((latest.get(key)?.at ?? -1) <= p.at) latest.set(key, p);
    }
    for (const p of latest.values()) {
      if (p.category !== "marketing_messages") continue;
      const s = await subscriberOf(p.phone, p.userId);
      expect(s, `subscriber of preference ${p.phone ?? p.userId}`).not.toBeNull();
      expect((s as Record<string, unknown>).marketingPreference).toBe(p.value);
    }

    const after = (await getNumberById(t.db, { tenantId, id: number.id }))!;
    const problems = facts.account.filter((e) => ACCOUNT_PROBLEMS.has(e));
    const reinstated = JSON.stringify(json).includes('"REINSTATE"');
    if (problems.length > 0 && !reinstated)
      expect(after).toMatchObject({ connectionStatus: "error", lastError: expect.objectContaining({ event: problems.at(-1) }) });
    for (const q of facts.quality) {
      if (q.limit) expect(after.messagingLimitTier).toBe(q.limit);
      if (q.event === "FLAGGED" || q.event === "UNFLAGGED") expect(after.qualityRating).toBe(q.event === "FLAGGED" ? "RED" : "GREEN");
    }
    for (const tpl of facts.templates) {
      const [bound] = await t.db.select().from(templates).where(eq(templates.tenantId, tenantId));
      expect(bound?.metaTemplate).toMatchObject({ name: tpl.name, status: tpl.event });
    }

    // a redelivery changes nothing
    const again = await ingest();
    expect(again.outcomes).toEqual([expect.objectContaining({ status: "processed" })]);
    expect(again.messagesInserted).toBe(0);
  }
});
