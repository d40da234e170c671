import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { webhookEvents } from "../schema";

/** Unrouted events naming this Phone Number ID whose signature could not be checked when they arrived. */
export async function listUnverifiedEventsFor(db: Db, { phoneNumberId, limit }: { phoneNumberId: string; limit: number }) {
  return db
    .select({ id: webhookEvents.id, rawBody: webhookEvents.rawBody, headers: webhookEvents.headers })
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.status, "unrouted"),
        eq(webhookEvents.signatureResult, "unverified"),
        sql`${webhookEvents.routedPhoneNumberIds} @> array[${phoneNumberId}]::text[]`,
      ),
    )
    .orderBy(webhookEvents.receivedAt, webhookEvents.id)
    .limit(limit);
}

export async function setEventSignatureVerdict(db: Db, { id, valid, error }: { id: string; valid: boolean; error?: string }) {
  await db
    .update(webhookEvents)
    .set(valid ? { signatureResult: "valid" } : { signatureResult: "invalid", status: "rejected", error: error ?? "Signature does not match" })
    .where(and(eq(webhookEvents.id, id), eq(webhookEvents.signatureResult, "unverified")));
}
