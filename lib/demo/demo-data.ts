// Demo data for `npm run db:seed` and the setup page's "load demo data": numbers, an audience with
// ad attribution, drip templates, leads with their queue, conversions and raw webhook events.
// Everything is built in memory first (ids from randomUUID, so rows link without round trips),
// then bulk-inserted in one transaction.
import { createHmac, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { PgInsertValue, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import {
  ads, conversations, conversions, leads, messages, outboundMessages, subscribers, templateRevisions, templates, tenants,
  webhookEvents, whatsappNumbers,
} from "@/db/schema";
import { encryptSecret, sha256Hex } from "@/lib/crypto";
import { notFound } from "@/lib/errors";
import { buildAudience, type BuiltNumber, type Ctx, DAY, type InboundRef, MIN } from "./demo-audience";
import { createRng, DEMO_TEMPLATES, HEX, SEGMENT_VARIABLES } from "./demo-content";
import { buildConversions, buildLeads } from "./demo-funnel";

export type DemoSummary = {
  skipped: boolean; numbers: number; subscribers: number; conversations: number; messages: number; ads: number; templates: number;
  leads: number; outboundMessages: number; conversions: number; webhookEvents: number;
};
export type LoadDemoDataInput = { tenantId: string; now: Date; encryptionKey: string; seed?: number };

const NOTHING: Omit<DemoSummary, "skipped"> = {
  numbers: 0, subscribers: 0, conversations: 0, messages: 0, ads: 0, templates: 0, leads: 0, outboundMessages: 0, conversions: 0, webhookEvents: 0,
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

    const data = buildDemoData(input);
    await insertChunks(tx, whatsappNumbers, data.numbers.map((n) => n.row));
    await insertChunks(tx, subscribers, data.subscribers);
    await insertChunks(tx, conversations, data.conversations);
    await insertChunks(tx, messages, data.messages);
    await insertChunks(tx, ads, data.ads);
    await insertChunks(tx, templates, data.templates);
    await insertChunks(tx, templateRevisions, data.templateRevisions);
    await insertChunks(tx, leads, data.leads);
    await insertChunks(tx, outboundMessages, data.outbound);
    await insertChunks(tx, conversions, data.conversions);
    await insertChunks(tx, webhookEvents, data.webhookEvents);
    await tx
      .update(tenants)
      .set({ segmentVariables: { ...tenant.segmentVariables, ...SEGMENT_VARIABLES }, demoLoadedAt: input.now })
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

function buildDemoData(input: LoadDemoDataInput) {
  const nowMs = input.now.getTime();
  const ctx: Ctx = {
    rng: createRng(input.seed ?? 42),
    tenantId: input.tenantId,
    nowMs,
    salt: sha256Hex(`demo:${input.tenantId}`).slice(0, 6).toUpperCase(),
    seq: 0,
  };
  const numbers = buildNumbers(ctx, input.encryptionKey);
  const audience = buildAudience(ctx, numbers);
  const tpl = buildTemplates(ctx);
  const funnel = buildLeads(ctx, audience.plans, numbers, tpl.rows);
  const conversionRows = buildConversions(ctx, audience.adConversations, numbers);
  const webhookRows = buildWebhookEvents(ctx, audience.inbound, numbers);
  return {
    numbers,
    subscribers: audience.subscribers,
    conversations: audience.conversations,
    messages: audience.messages,
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
  return BigInt(`0x${sha256Hex(`${ctx.tenantId}:${label}`).slice(0, 24)}`).toString().slice(0, length);
}

function buildNumbers(ctx: Ctx, key: string): BuiltNumber[] {
  const { rng, nowMs } = ctx;
  const wabaId = `1${tenantDigits(ctx, "waba", 14)}`;
  const common = { tenantId: ctx.tenantId, active: true, connectionStatus: "connected" as const, createdAt: new Date(nowMs - 45 * DAY) };
  const cloud = (i: number, label: string, phone: string, verifiedName: string): BuiltNumber => {
    const appSecret = `demo-app-secret-${rng.chars(24, HEX)}`;
    const row = {
      ...common, id: randomUUID(), label, phoneE164: phone, provider: "cloud" as const,
      phoneNumberId: `1${tenantDigits(ctx, `phone_number_id:${i}`, 14)}`, wabaId,
      accessTokenEnc: encryptSecret(`demo-token-${rng.chars(32, HEX)}`, key), appSecretEnc: encryptSecret(appSecret, key),
      verifyToken: sha256Hex(`${ctx.tenantId}:verify:${i}:${rng.next()}`).slice(0, 32),
      datasetId: i === 0 ? `1${tenantDigits(ctx, "dataset", 15)}` : null,
      verifiedName, qualityRating: "GREEN", messagingLimitTier: "TIER_1K",
      lastCheckedAt: new Date(nowMs - rng.int(5, 50) * MIN), lastWebhookAt: new Date(nowMs - rng.int(5, 90) * MIN),
    };
    return { row, appSecret, digits: phone.slice(1) };
  };
  const green: BuiltNumber = {
    row: {
      ...common, id: randomUUID(), label: "Рассылки (Green API)", phoneE164: "+79005550123", provider: "green",
      verifyToken: sha256Hex(`${ctx.tenantId}:verify:green:${rng.next()}`).slice(0, 32),
      greenApiUrl: "https://1105.api.green-api.com", greenInstanceId: `1105${tenantDigits(ctx, "green", 6)}`,
      greenTokenEnc: encryptSecret(`demo-token-${rng.chars(50, HEX)}`, key),
      lastCheckedAt: new Date(nowMs - rng.int(5, 50) * MIN), sendRatePerSecond: 1,
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

function buildTemplates(ctx: Ctx) {
  const createdAt = new Date(ctx.nowMs - 40 * DAY);
  const rows = DEMO_TEMPLATES.map((t) => ({ ...t, id: randomUUID(), tenantId: ctx.tenantId, revision: 1, createdAt, updatedAt: createdAt }));
  const revisions = rows.map((t) => ({
    tenantId: ctx.tenantId,
    templateId: t.id,
    revision: 1,
    snapshot: {
      name: t.name, title: t.title, content: t.content, delayDays: t.delayDays, delayHours: t.delayHours,
      segment: t.segment, active: t.active, metaTemplate: t.metaTemplate,
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
      entry: [{
        id: number.row.wabaId,
        changes: [{
          value: {
            messaging_product: "whatsapp",
            metadata: { display_phone_number: number.digits, phone_number_id: number.row.phoneNumberId },
            contacts: [{ profile: { name: plan.name ?? "" }, wa_id: plan.digits }],
            messages: [payload],
          },
          field: "messages",
        }],
      }],
    };
    const rawBody = JSON.stringify(body);
    const receivedAt = new Date(at + rng.int(300, 2500));
    const failed = i === 4 || i === 13;
    if (receivedAt.getTime() > (number.row.lastWebhookAt?.getTime() ?? 0)) number.row.lastWebhookAt = receivedAt;
    return {
      tenantId: ctx.tenantId, numberId: number.row.id, provider: "cloud" as const, receivedAt, rawBody,
      headers: {
        "content-type": "application/json",
        "user-agent": "facebookexternalua",
        "x-hub-signature-256": `sha256=${createHmac("sha256", number.appSecret ?? "").update(rawBody).digest("hex")}`,
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
