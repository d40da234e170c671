import { and, eq, inArray, isNotNull, ne, sql } from "drizzle-orm";
import type { Db } from "../client";
import { conversations, conversions, leads, messages, type NewWhatsappNumber, outboundMessages, subscribers, webhookEvents, whatsappNumbers } from "../schema";
import { type Cursor, beforeCursor, takeFirstOrNull, newestFirst } from "./keyset";

export type NumberRow = typeof whatsappNumbers.$inferSelect;
type Key = { tenantId: string; id: string };

export async function insertNumber(db: Db, values: NewWhatsappNumber): Promise<NumberRow> {
  const [row] = await db.insert(whatsappNumbers).values(values).returning();
  return row!;
}

export async function getNumberById(db: Db, { tenantId, id }: Key, opts: { forUpdate?: boolean } = {}): Promise<NumberRow | null> {
  const query = db
    .select()
    .from(whatsappNumbers)
    .where(and(eq(whatsappNumbers.tenantId, tenantId), eq(whatsappNumbers.id, id)))
    .limit(1);
  return takeFirstOrNull(await (opts.forUpdate ? query.for("update") : query));
}

export async function listNumbers(db: Db, { tenantId, cursor, limit }: { tenantId: string; cursor?: Cursor; limit: number }) {
  return db
    .select()
    .from(whatsappNumbers)
    .where(and(eq(whatsappNumbers.tenantId, tenantId), beforeCursor(whatsappNumbers.createdAt, whatsappNumbers.id, cursor)))
    .orderBy(...newestFirst(whatsappNumbers.createdAt, whatsappNumbers.id))
    .limit(limit + 1);
}

/** The tenant's oldest number with this label and provider (labels are not unique: the first one wins). */
export async function findNumberByLabel(db: Db, { tenantId, label, provider }: { tenantId: string; label: string; provider: NumberRow["provider"] }) {
  return takeFirstOrNull(
    await db
      .select()
      .from(whatsappNumbers)
      .where(and(eq(whatsappNumbers.tenantId, tenantId), eq(whatsappNumbers.label, label), eq(whatsappNumbers.provider, provider)))
      .orderBy(whatsappNumbers.createdAt)
      .limit(1),
  );
}

export async function updateNumber(db: Db, { tenantId, id }: Key, values: Partial<NewWhatsappNumber>): Promise<NumberRow | null> {
  const [row] = await db
    .update(whatsappNumbers)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(whatsappNumbers.tenantId, tenantId), eq(whatsappNumbers.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteNumber(db: Db, { tenantId, id }: Key): Promise<boolean> {
  const rows = await db
    .delete(whatsappNumbers)
    .where(and(eq(whatsappNumbers.tenantId, tenantId), eq(whatsappNumbers.id, id)))
    .returning({ id: whatsappNumbers.id });
  return rows.length > 0;
}

export type NumberReferences = {
  subscribers: number;
  conversations: number;
  messages: number;
  webhookEvents: number;
  leads: number;
  outboundMessages: number;
  conversions: number;
};

/** Whether anything points at the number (each count stops at 1000: enough to explain a refusal). */
export async function countNumberReferences(db: Db, { tenantId, id }: Key): Promise<NumberReferences> {
  const capped = (table: typeof subscribers | typeof conversations | typeof messages | typeof leads | typeof outboundMessages | typeof conversions) =>
    sql<number>`(select count(*)::int from (select 1 from ${table} where ${table.tenantId} = ${tenantId} and ${table.numberId} = ${id} limit 1000) x)`;
  const [row] = await db
    .select({
      subscribers: capped(subscribers),
      conversations: capped(conversations),
      messages: capped(messages),
      webhookEvents: sql<number>`(select count(*)::int from (select 1 from ${webhookEvents} where ${webhookEvents.numberId} = ${id} limit 1000) x)`,
      leads: capped(leads),
      outboundMessages: capped(outboundMessages),
      conversions: capped(conversions),
    })
    .from(sql`(select 1) as one`);
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])) as NumberReferences;
}

/** Webhook routing is global: a Phone Number ID belongs to exactly one number of one tenant. */
const routingColumns = {
  id: whatsappNumbers.id,
  tenantId: whatsappNumbers.tenantId,
  phoneNumberId: whatsappNumbers.phoneNumberId,
  wabaId: whatsappNumbers.wabaId,
  appSecretEnc: whatsappNumbers.appSecretEnc,
};
const proven = isNotNull(whatsappNumbers.phoneNumberIdProvenAt);

/** Cloud numbers whose Phone Number ID was proven (Graph check passed): the only ones webhooks reach. */
export async function findNumbersByPhoneNumberIds(db: Db, phoneNumberIds: string[]) {
  if (phoneNumberIds.length === 0) return [];
  return db
    .select(routingColumns)
    .from(whatsappNumbers)
    .where(and(inArray(whatsappNumbers.phoneNumberId, phoneNumberIds), proven));
}

/** Proven Cloud numbers of these WABAs (WABA-level changes carry no Phone Number ID). */
export async function findNumbersByWabaIds(db: Db, wabaIds: string[]) {
  if (wabaIds.length === 0) return [];
  return db
    .select(routingColumns)
    .from(whatsappNumbers)
    .where(and(inArray(whatsappNumbers.wabaId, wabaIds), proven));
}

/** Records that the number proved its Phone Number ID (the Graph check passed with its token). */
export async function markPhoneNumberIdProven(db: Db, { tenantId, id, at }: Key & { at: Date }): Promise<NumberRow | null> {
  return updateNumber(db, { tenantId, id }, { phoneNumberIdProvenAt: at });
}

/** The workspace (other than `tenantId`) that has proven this Phone Number ID, if any. */
export async function findPhoneNumberIdOwner(db: Db, { phoneNumberId, tenantId }: { phoneNumberId: string; tenantId: string }) {
  return takeFirstOrNull(
    await db
      .select({ id: whatsappNumbers.id, tenantId: whatsappNumbers.tenantId })
      .from(whatsappNumbers)
      .where(and(eq(whatsappNumbers.phoneNumberId, phoneNumberId), proven, ne(whatsappNumbers.tenantId, tenantId)))
      .limit(1),
  );
}

export async function findNumberByGupshupToken(db: Db, token: string) {
  return takeFirstOrNull(
    await db
      .select({ id: whatsappNumbers.id, tenantId: whatsappNumbers.tenantId })
      .from(whatsappNumbers)
      .where(and(eq(whatsappNumbers.gupshupWebhookToken, token), eq(whatsappNumbers.provider, "gupshup")))
      .limit(1),
  );
}

export async function verifyTokenExists(db: Db, token: string): Promise<boolean> {
  const rows = await db.select({ id: whatsappNumbers.id }).from(whatsappNumbers).where(eq(whatsappNumbers.verifyToken, token)).limit(1);
  return rows.length > 0;
}
