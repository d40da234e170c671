// Meta user_preferences of a batch: a customer stopped (or resumed) marketing messages in WhatsApp. The choice
// is recorded on the subscriber (created when unknown, by phone or by business-scoped user id) by Meta's time,
// so an older or replayed event changes nothing; a stop cancels the subscriber's pending drip messages. A change of
// consent (a stop after none, a resume after a stop) emits subscriber.opted_out / opted_in in the same transaction.
import type { Db } from "@/db/client";
import { cancelPendingOutboundForOptOut, insertSubscribersIfAbsent, lockSubscribersByIdentity, recordMarketingPreference } from "@/db/queries";
import { type SenderIdentity, identityFromPhone } from "@/lib/subscribers/identity";
import { MARKETING_STOPPED, type MarketingPreference, readMarketingPreference, supersedes } from "@/lib/subscribers/marketing-preference";
import { emitEvents } from "@/lib/webhooks-out/emit";
import { type OutgoingEventInput, subscriberOptEvent } from "@/lib/webhooks-out/events";
import type { Routed, UserPreference } from "./routed";

type Choice = {
  key: string;
  identity: SenderIdentity | null;
  userId: string | null;
  preference: MarketingPreference;
  at: Date;
  routed: Routed<UserPreference>;
};

/** The newest marketing choice per customer in the batch (other categories and values are ignored). */
function latestChoices(routed: Routed<UserPreference>[]): Choice[] {
  const latest = new Map<string, Choice>();
  for (const r of routed) {
    const read = readMarketingPreference(r.item);
    if (!("preference" in read)) continue;
    const identity = identityFromPhone(r.item.waId);
    const userId = r.item.userId;
    if (!identity?.waPhone && !userId) continue; // nobody we could ever match
    const key = identity?.waPhone ? `p:${identity.waPhone}` : `u:${userId}`;
    const current = latest.get(key);
    if (!current || supersedes({ preference: read.preference, at: r.item.timestamp }, { preference: current.preference, at: current.at })) {
      latest.set(key, { key, identity, userId: userId ?? current?.userId ?? null, preference: read.preference, at: r.item.timestamp, routed: r });
    }
  }
  return [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // a stable lock order across batches
}

/**
 * Applies `marketing_messages` preferences of one tenant. Unknown customers get a subscriber (so the stop holds
 * once they write); a stop that changed the subscriber cancels its pending drip rows with MARKETING_STOPPED.
 * A resume only lifts the hold: rows cancelled earlier stay cancelled. Returns how many subscribers changed.
 */
export async function applyUserPreferences(tx: Db, tenantId: string, routed: Routed<UserPreference>[], now: Date): Promise<number> {
  let changed = 0;
  const events: OutgoingEventInput[] = [];
  for (const choice of latestChoices(routed)) {
    const { number, ctx } = choice.routed;
    const waPhone = choice.identity?.waPhone ?? null;
    await insertSubscribersIfAbsent(tx, [
      {
        tenantId,
        ...choice.identity,
        userId: choice.userId,
        numberId: number.id,
        firstSeenAt: choice.at,
        rawLastEventType: "user_preferences",
        rawVersion: ctx.rawVersion,
      },
    ]);
    const rows = await lockSubscribersByIdentity(tx, { tenantId, waPhones: waPhone ? [waPhone] : [], userIds: choice.userId ? [choice.userId] : [] });
    const row = rows.find((r) => waPhone !== null && r.waPhone === waPhone) ?? rows.find((r) => choice.userId !== null && r.userId === choice.userId);
    if (!row) throw Object.assign(new Error(`subscriber ${choice.key} conflicted on insert but cannot be found`), { retryAlone: true });
    if (!(await recordMarketingPreference(tx, { tenantId, id: row.id, preference: choice.preference, at: choice.at, now }))) continue;
    changed += 1;
    // consent changed: a stop where none was, a resume of a stop (a first "resume" or a later repeat changes none)
    if ((row.marketingPreference === "stop") !== (choice.preference === "stop")) {
      events.push(
        subscriberOptEvent({
          optIn: choice.preference === "resume",
          sourceKey: `marketing:${row.id}:${choice.at.toISOString()}`,
          subscriber: { id: row.id, phone: row.waPhone, waId: row.waId, userId: row.userId, name: row.profileName },
          at: choice.at,
          source: "marketing_preference",
          details: { preference: choice.preference, numberId: number.id },
        }),
      );
    }
    if (choice.preference === "stop") {
      await cancelPendingOutboundForOptOut(tx, {
        tenantId,
        subscriberIds: [row.id],
        waPhones: row.waPhone ? [row.waPhone] : [],
        now,
        reason: MARKETING_STOPPED,
      });
    }
  }
  await emitEvents(tx, tenantId, events);
  return changed;
}
