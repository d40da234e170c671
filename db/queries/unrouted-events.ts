// Unrouted events: deliveries that named a Phone Number ID nobody had proven yet. They keep the exact bytes
// until a number proves that id and checks them with its own app secret (lib/whatsapp/unrouted.ts).
import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import type { Cursor } from "./keyset";
import type { Db } from "../client";
import { webhookEvents } from "../schema";

/** Unrouted, byte-exact events naming this Phone Number ID, oldest first, after the (receivedAt, id) cursor. */
export async function listUnroutedEventsNaming(db: Db, { phoneNumberId, limit, after }: { phoneNumberId: string; limit: number; after?: Cursor }) {
  const afterCursor = after
    ? or(gt(webhookEvents.receivedAt, after.at), and(eq(webhookEvents.receivedAt, after.at), gt(webhookEvents.id, after.id)))
    : undefined;
  return db
    .select({
      id: webhookEvents.id,
      tenantId: webhookEvents.tenantId,
      receivedAt: webhookEvents.receivedAt,
      rawBody: webhookEvents.rawBody,
      rawBodyExactB64: webhookEvents.rawBodyExactB64,
      headers: webhookEvents.headers,
      routedPhoneNumberIds: webhookEvents.routedPhoneNumberIds,
    })
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.status, "unrouted"),
        eq(webhookEvents.rawBodyKind, "exact"),
        sql`${webhookEvents.routedPhoneNumberIds} @> array[${phoneNumberId}]::text[]`,
        afterCursor,
      ),
    )
    .orderBy(asc(webhookEvents.receivedAt), asc(webhookEvents.id))
    .limit(limit);
}

/** The whole unrouted event now belongs to the number that proved its only Phone Number ID. */
export async function claimUnroutedEvent(
  db: Db,
  { id, tenantId, numberId, phoneNumberId }: { id: string; tenantId: string; numberId: string; phoneNumberId: string },
) {
  await db
    .update(webhookEvents)
    .set({ tenantId, numberId, verifiedPhoneNumberIds: [phoneNumberId], signatureResult: "valid", status: "received", error: null })
    .where(and(eq(webhookEvents.id, id), eq(webhookEvents.status, "unrouted")));
}

/**
 * Takes a Phone Number ID off an unrouted event: it was adopted into an event of its own, or `refused` (the
 * body does not verify with the secret of the number that proved it). Once none is left the event is gone
 * if every id was adopted (its changes live on in the adopters' events), or rejected if one was refused.
 */
export async function releaseUnroutedPhoneNumberId(db: Db, { id, phoneNumberId, refused }: { id: string; phoneNumberId: string; refused: boolean }) {
  const error = "The signature does not match the app secret of the number that proved this Phone Number ID";
  const [row] = await db
    .update(webhookEvents)
    .set({
      routedPhoneNumberIds: sql`array_remove(${webhookEvents.routedPhoneNumberIds}, ${phoneNumberId}::text)`,
      ...(refused
        ? {
            refusedPhoneNumberIds: sql`array_append(array_remove(${webhookEvents.refusedPhoneNumberIds}, ${phoneNumberId}::text), ${phoneNumberId}::text)`,
            error,
          }
        : {}),
    })
    .where(and(eq(webhookEvents.id, id), eq(webhookEvents.status, "unrouted")))
    .returning({ left: webhookEvents.routedPhoneNumberIds, refused: webhookEvents.refusedPhoneNumberIds });
  if (!row || row.left.length > 0) return;
  if (row.refused.length > 0) {
    await db.update(webhookEvents).set({ status: "rejected", signatureResult: "invalid" }).where(eq(webhookEvents.id, id));
  } else {
    await db.delete(webhookEvents).where(eq(webhookEvents.id, id));
  }
}
