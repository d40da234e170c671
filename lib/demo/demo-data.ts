// Demo data for `npm run db:seed` and the setup page's "load demo data": numbers, an audience with
// ad attribution, drip templates, leads with their queue, conversions and raw webhook events.
// Everything is built in memory first (ids from randomUUID, so rows link without round trips),
// then bulk-inserted in one transaction. Every row is marked `demo` (removeDemoData deletes exactly those),
// and the demo numbers hold no provider token: nothing demo ever reaches Meta or Green API.
import { createHmac, randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { PgInsertValue, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { rebuildChats } from "@/db/queries/chats";
import {
  ads,
  conversations,
  conversions,
  leads,
  messages,
  outboundMessages,
  subscribers,
  templateRevisions,
  templates,
  tenants,
  webhookEvents,
  whatsappNumbers,
} from "@/db/schema";
import { encryptSecret, sha256Hex } from "@/lib/crypto";
import { AppError, notFound } from "@/lib/errors";
import { buildAudience, type BuiltNumber, type Ctx, DAY, type InboundRef, MIN } from "./demo-audience";
import { createRng, DEMO_TEMPLATES, HEX, SEGMENT_VARIABLES } from "./demo-content";
import { buildConversions, buildDripMessages, buildLeads, countDripSends } from "./demo-funnel";

export type DemoSummary = {
  skipped: boolean;
  numbers: number;
  subscribers: number;
  conversations: number;
  messages: number;
  ads: number;
  templates: number;
  leads: number;
  outboundMessages: number;
  conversions: number;
  webhookEvents: number;
};
export type LoadDemoDataInput = { tenantId: string; now: Date; encryptionKey: string; seed?: number };

const NOTHING: Omit<DemoSummary, "skipped"> = {
  numbers: 0,
  subscribers: 0,
  conversations: 0,
  messages: 0,
  ads: 0,
  templates: 0,
  leads: 0,
  outboundMessages: 0,
  conversions: 0,
  webhookEvents: 0,
};

/**
 * Loads the demo data set into a tenant, once: a tenant with `demoLoadedAt` set is skipped and
 * nothing is written. Deterministic for a given seed, except ids and encryption IVs; identifiers
 * that are unique across tenants (phone number ids, verify tokens) are derived from the tenant id.
 */
export async function loadDemoData(db: Db, input: LoadDemoDataInput): Promise<DemoSummary> {
  return db.transaction(async (tx) => {
    const [tenant] = await tx
      .select({ demoLoadedAt: tenants.demoLoadedAt, segmentVariables: tenants.segmentVariables })
      .from(tenants)
      .where(eq(tenants.id, input.tenantId))
      .for("update");
    if (!tenant) throw notFound("tenant");
    if (tenant.demoLoadedAt) return { skipped: true, ...NOTHING };

    const data = await buildAvoidingRealRows(tx, input);
    await insertDemo(
      tx,
      whatsappNumbers,
      data.numbers.map((n) => n.row),
    );
    await insertDemo(tx, subscribers, data.subscribers);
    await insertDemo(tx, conversations, data.conversations);
    await insertDemo(tx, messages, data.messages);
    await rebuildChats(tx, { tenantId: input.tenantId, subscriberIds: [...new Set(data.messages.map((m) => m.subscriberId))] }); // demo chats: all their messages are demo
    await insertDemo(tx, ads, data.ads);
    await insertDemo(tx, templates, data.templates);
    await insertChunks(tx, templateRevisions, data.templateRevisions); // go with their template
    await insertDemo(tx, leads, data.leads);
    await insertDemo(tx, outboundMessages, data.outbound);
    await insertDemo(tx, conversions, data.conversions);
    await insertDemo(tx, webhookEvents, data.webhookEvents);
    await tx
      .update(tenants)
      .set({ segmentVariables: withDemoSegments(tenant.segmentVariables), demoLoadedAt: input.now })
      .where(eq(tenants.id, input.tenantId));

    return {
      skipped: false,
      numbers: data.numbers.length,
      subscribers: data.subscribers.length,
      conversations: data.conversations.length,
      messages: data.messages.length,
      ads: data.ads.length,
      templates: data.templates.length,
      leads: data.leads.length,
      outboundMessages: data.outbound.length,
      conversions: data.conversions.length,
      webhookEvents: data.webhookEvents.length,
    };
  });
}

async function insertChunks<T extends PgTable>(db: Db, table: T, rows: PgInsertValue<T>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insert(table).values(rows.slice(i, i + 500));
}

const insertDemo = <T extends PgTable>(db: Db, table: T, rows: PgInsertValue<T>[]) =>
  insertChunks(
    db,
    table,
    rows.map((r) => ({ ...r, demo: true }) as PgInsertValue<T>),
  );

/** The demo's segment values under the workspace's own (a value the workspace set wins). */
function withDemoSegments(own: Record<string, Record<string, string>>): Record<string, Record<string, string>> {
  const merged = { ...own };
  for (const [segment, vars] of Object.entries(SEGMENT_VARIABLES)) merged[segment] = { ...vars, ...own[segment] };
  return merged;
}

/**
 * The data set, built around what the workspace already holds (it may have real rows, or rows a removed demo
 * left behind because real activity used them): its template names are not created again, and subscriber
 * phones it has are drawn again. A number phone it has is a conflict.
 */
async function buildAvoidingRealRows(db: Db, input: LoadDemoDataInput) {
  const { tenantId } = input;
  const names = DEMO_TEMPLATES.map((t) => t.name);
  const takenNames = await db
    .select({ name: templates.name })
    .from(templates)
    .where(and(eq(templates.tenantId, tenantId), inArray(templates.name, names)));
  const avoid = { phones: new Set<string>(), templateNames: new Set(takenNames.map((t) => t.name)) };
  for (let attempt = 0; ; attempt++) {
    const data = buildDemoData(input, avoid);
    const numberPhones = data.numbers.map((n) => n.row.phoneE164);
    const [number] = await db
      .select({ phone: whatsappNumbers.phoneE164 })
      .from(whatsappNumbers)
      .where(and(eq(whatsappNumbers.tenantId, tenantId), inArray(whatsappNumbers.phoneE164, numberPhones)))
      .limit(1);
    if (number) throw new AppError("conflict", `The demo's number ${number.phone} is already connected in this workspace, so the demo cannot be loaded here`);
    const phones = data.subscribers.flatMap((s) => (s.waPhone ? [s.waPhone] : []));
    const taken = await db
      .select({ phone: subscribers.waPhone })
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), inArray(subscribers.waPhone, phones)));
    if (taken.length === 0) return data;
    if (attempt >= 4) throw new AppError("conflict", "The demo's subscribers keep meeting phones this workspace already has: try again");
    for (const t of taken) if (t.phone) avoid.phones.add(t.phone.slice(1));
  }
}

type Avoid = { phones: Set<string>; templateNames: Set<string> };

function buildDemoData(input: LoadDemoDataInput, avoid: Avoid) {
  const nowMs = input.now.getTime();
  const ctx: Ctx = {
    rng: createRng(input.seed ?? 42),
    tenantId: input.tenantId,
    nowMs,
    salt: sha256Hex(`demo:${input.tenantId}`).slice(0, 6).toUpperCase(),
    seq: 0,
  };
  const numbers = buildNumbers(ctx, input.encryptionKey);
  const audience = buildAudience(ctx, numbers, avoid.phones);
  const tpl = buildTemplates(ctx, avoid.templateNames);
  const funnel = buildLeads(ctx, audience.plans, numbers, tpl.rows);
  const dripMessages = buildDripMessages(funnel.outbound, tpl.rows, audience.conversations, numbers);
  countDripSends(audience.subscribers, dripMessages);
  const conversionRows = buildConversions(ctx, audience.adConversations, numbers);
  const webhookRows = buildWebhookEvents(ctx, audience.inbound, numbers);
  return {
    numbers,
    subscribers: audience.subscribers,
    conversations: audience.conversations,
    messages: [...audience.messages, ...dripMessages],
    ads: audience.ads,
    templates: tpl.rows,
    templateRevisions: tpl.revisions,
    leads: funnel.leads,
    outbound: funnel.outbound,
    conversions: conversionRows,
    webhookEvents: webhookRows,
  };
}

/** Digits derived from the tenant id: ids that must never collide across tenants. */
function tenantDigits(ctx: Ctx, label: string, length: number): string {
  return BigInt(`0x${sha256Hex(`${ctx.tenantId}:${label}`).slice(0, 24)}`)
    .toString()
    .slice(0, length);
}

function buildNumbers(ctx: Ctx, key: string): BuiltNumber[] {
  const { rng, nowMs } = ctx;
  const wabaId = `1${tenantDigits(ctx, "waba", 14)}`;
  const common = { tenantId: ctx.tenantId, active: true, connectionStatus: "connected" as const, createdAt: new Date(nowMs - 45 * DAY) };
  const cloud = (i: number, label: string, phone: string, verifiedName: string): BuiltNumber => {
    const appSecret = `demo-app-secret-${rng.chars(24, HEX)}`;
    const row = {
      ...common,
      id: randomUUID(),
      label,
      phoneE164: phone,
      provider: "cloud" as const,
      phoneNumberId: `1${tenantDigits(ctx, `phone_number_id:${i}`, 14)}`,
      wabaId,
      appSecretEnc: encryptSecret(appSecret, key), // signs the demo's webhook bodies; no access token: it sends nothing
      verifyToken: sha256Hex(`${ctx.tenantId}:verify:${i}:${rng.next()}`).slice(0, 32),
      datasetId: i === 0 ? `1${tenantDigits(ctx, "dataset", 15)}` : null,
      verifiedName,
      qualityRating: "GREEN",
      messagingLimitTier: "TIER_1K",
      lastCheckedAt: new Date(nowMs - rng.int(5, 50) * MIN),
      lastWebhookAt: new Date(nowMs - rng.int(5, 90) * MIN),
    };
    return { row, appSecret, digits: phone.slice(1) };
  };
  const green: BuiltNumber = {
    row: {
      ...common,
      id: randomUUID(),
      label: "Рассылки (Green API)",
      phoneE164: "+79005550123",
      provider: "green",
      verifyToken: sha256Hex(`${ctx.tenantId}:verify:green:${rng.next()}`).slice(0, 32),
      greenApiUrl: "https://1105.api.green-api.com",
      greenInstanceId: `1105${tenantDigits(ctx, "green", 6)}`,
      lastCheckedAt: new Date(nowMs - rng.int(5, 50) * MIN),
      sendRatePerSecond: 1,
    },
    appSecret: null,
    digits: "79005550123",
  };
  return [
    cloud(0, "Main line (Moscow)", "+79001234567", "Школа актёрского мастерства"),
    cloud(1, "Oratory school", "+79007654321", "Школа ораторского искусства"),
    green,
  ];
}

function buildTemplates(ctx: Ctx, taken: Set<string>) {
  const createdAt = new Date(ctx.nowMs - 40 * DAY);
  const rows = DEMO_TEMPLATES.filter((t) => !taken.has(t.name)).map((t) => ({
    ...t,
    id: randomUUID(),
    tenantId: ctx.tenantId,
    revision: 1,
    createdAt,
    updatedAt: createdAt,
  }));
  const revisions = rows.map((t) => ({
    tenantId: ctx.tenantId,
    templateId: t.id,
    revision: 1,
    snapshot: {
      name: t.name,
      title: t.title,
      content: t.content,
      delayDays: t.delayDays,
      delayHours: t.delayHours,
      segment: t.segment,
      active: t.active,
      metaTemplate: t.metaTemplate,
    },
    createdAt,
  }));
  return { rows, revisions };
}

/** Raw webhook bodies for the most recent inbound messages, signed with the number's app secret. */
function buildWebhookEvents(ctx: Ctx, inbound: InboundRef[], numbers: BuiltNumber[]) {
  const { rng } = ctx;
  const recent = [...inbound].sort((a, b) => b.at - a.at).slice(0, 20);
  return recent.map(({ payload, at, plan }, i) => {
    const number = numbers[plan.numberIdx] as BuiltNumber;
    const body = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: number.row.wabaId,
          changes: [
            {
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: number.digits, phone_number_id: number.row.phoneNumberId },
                contacts: [{ profile: { name: plan.name ?? "" }, wa_id: plan.digits }],
                messages: [payload],
              },
              field: "messages",
            },
          ],
        },
      ],
    };
    const rawBody = JSON.stringify(body);
    const receivedAt = new Date(at + rng.int(300, 2500));
    const failed = i === 4 || i === 13;
    if (receivedAt.getTime() > (number.row.lastWebhookAt?.getTime() ?? 0)) number.row.lastWebhookAt = receivedAt;
    return {
      tenantId: ctx.tenantId,
      numberId: number.row.id,
      provider: "cloud" as const,
      receivedAt,
      rawBody,
      headers: {
        "content-type": "application/json",
        "user-agent": "facebookexternalua",
        "x-hub-signature-256": `sha256=${createHmac("sha256", number.appSecret ?? "")
          .update(rawBody)
          .digest("hex")}`,
      },
      signatureResult: "valid" as const,
      routedPhoneNumberIds: [number.row.phoneNumberId ?? ""],
      status: failed ? ("failed" as const) : ("processed" as const),
      error: failed ? (i === 4 ? "canceling statement due to statement timeout" : "Connection terminated unexpectedly") : null,
      attempts: failed ? 3 : 1,
      processedAt: failed ? null : new Date(receivedAt.getTime() + rng.int(20, 400)),
      createdAt: receivedAt,
    };
  });
}
