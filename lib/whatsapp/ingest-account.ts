// Gupshup user-events (opt-in/out), WABA-level changes (template status, quality, account updates) and
// Green API instance states.
import type { Db } from "@/db/client";
import {
  cancelPendingOutboundForOptOut,
  getNumberById,
  insertSubscribersIfAbsent,
  recordSubscriberOptEvent,
  recordTemplateBindingStatus,
  updateNumber,
} from "@/db/queries";
import { recordGreenInstanceState } from "@/db/queries/green";
import { type ConnectionError, greenStateError } from "@/lib/numbers/connection-errors";
import { identityFromPhone } from "@/lib/subscribers/identity";
import type { Notice } from "@/lib/telegram/notices";
import type { AccountWork, Routed, UserEvent } from "./routed";

/** Gupshup user-events: opted-in / opted-out (a subscriber is created for an unknown phone so the opt-out sticks). */
export async function applyUserEvents(tx: Db, tenantId: string, routed: Routed<UserEvent>[], now: Date): Promise<void> {
  for (const { item, number, ctx } of routed) {
    const optIn = item.event === "opted-in" ? true : item.event === "opted-out" ? false : null;
    const identity = identityFromPhone(item.phone);
    if (optIn === null || !identity?.waPhone) continue; // sandbox-start and the like change nothing
    const at = ctx.receivedAt; // user-events carry no per-user timestamp of their own
    await insertSubscribersIfAbsent(tx, [
      { tenantId, ...identity, numberId: number.id, firstSeenAt: at, rawLastEventType: "user-event", rawVersion: ctx.rawVersion },
    ]);
    const changed = await recordSubscriberOptEvent(tx, { tenantId, waPhone: identity.waPhone, optIn, at, now });
    if (changed && !optIn) await cancelPendingOutboundForOptOut(tx, { tenantId, subscriberIds: [changed], waPhones: [identity.waPhone], now });
  }
}

// Events after which the number cannot be trusted to send; shown on the number as its last error.
const ACCOUNT_PROBLEMS = new Set([
  "ACCOUNT_VIOLATION",
  "ACCOUNT_RESTRICTION",
  "ACCOUNT_DELETED",
  "DISABLED_UPDATE",
  "PARTNER_APP_UNINSTALLED",
  "PARTNER_REMOVED",
]);

function describeAccountEvent(event: string, raw: Record<string, unknown>): string {
  const detail = JSON.stringify(raw.violation_info ?? raw.restriction_info ?? raw.ban_info ?? raw.waba_info ?? null);
  return `Meta reported ${event} for this WhatsApp Business Account${detail !== "null" ? `: ${detail.slice(0, 300)}` : ""}`;
}

// Meta's quality ratings, best first; NA / UNKNOWN (not rated yet) have no rank
const QUALITY_RANK: Record<string, number> = { GREEN: 3, YELLOW: 2, RED: 1 };

/**
 * What a quality update changed for the managers, when it is a drop (null for a rise, a repeat or no change):
 * the rating falling (GREEN → YELLOW → RED; FLAGGED is RED), or Meta's DOWNGRADE of the messaging limit (from the
 * number's tier to the new one when it changed).
 */
export function qualityDrop(
  before: { qualityRating: string | null; messagingLimitTier: string | null },
  update: { quality?: string; tier: string | null; downgrade: boolean },
): { from: string | null; to: string } | null {
  if (update.quality) {
    const from = before.qualityRating ? (QUALITY_RANK[before.qualityRating.toUpperCase()] ?? null) : null;
    const to = QUALITY_RANK[update.quality];
    // from an unrated number, anything but GREEN (a FLAGGED) is a drop
    if (to !== undefined && (from === null ? update.quality !== "GREEN" : to < from)) return { from: before.qualityRating, to: update.quality };
  }
  if (update.downgrade && update.tier !== before.messagingLimitTier) {
    return { from: before.messagingLimitTier, to: update.tier ? `${update.tier} (messaging limit downgraded)` : "messaging limit downgraded" };
  }
  return null;
}

/**
 * Template status → the binding of templates that use that Meta template; quality update → messaging tier
 * (and FLAGGED/UNFLAGGED → RED/GREEN quality); account_update problems → connection status `error` with
 * the event as last_error (a DISABLED_UPDATE "REINSTATE" clears it); a Green API instance state → connected when
 * `authorized`, else `error` with what to do (only when newer than the last check). Other account events are ignored.
 * A quality drop (qualityDrop) adds its Telegram notice to `notices` (sent by the caller once the transaction committed).
 */
export async function applyAccountChange(tx: Db, { item, numbers }: AccountWork, now: Date, notices: Notice[] = []): Promise<void> {
  if (item.kind === "instance_state") {
    const authorized = item.state === "authorized";
    const lastError = authorized ? null : (greenStateError(item.state) as Record<string, unknown>);
    for (const n of numbers) {
      await recordGreenInstanceState(tx, {
        tenantId: n.tenantId,
        id: n.id,
        connectionStatus: authorized ? "connected" : "error",
        lastError,
        at: item.timestamp,
      });
    }
    return;
  }
  if (item.kind === "template_status" && item.name) {
    const tenantIds = [...new Set(numbers.map((n) => n.tenantId))];
    await recordTemplateBindingStatus(tx, { tenantIds, name: item.name, language: item.language, status: item.event, reason: item.reason, at: now });
  }
  if (item.kind === "number_quality") {
    const quality = item.event === "FLAGGED" ? "RED" : item.event === "UNFLAGGED" ? "GREEN" : undefined;
    const patch = { ...(item.currentLimit ? { messagingLimitTier: item.currentLimit } : {}), ...(quality ? { qualityRating: quality } : {}) };
    const downgrade = item.event === "DOWNGRADE";
    if (Object.keys(patch).length > 0 || downgrade) {
      for (const n of numbers) {
        const key = { tenantId: n.tenantId, id: n.id };
        // the number as it was: only a drop is told to the managers (a replay finds it dropped already)
        const before = quality || downgrade ? await getNumberById(tx, key) : null;
        if (Object.keys(patch).length > 0) await updateNumber(tx, key, patch);
        const drop = before ? qualityDrop(before, { quality, tier: item.currentLimit, downgrade }) : null;
        if (drop) notices.push({ kind: "notifyQualityDrop", tenantId: n.tenantId, numberLabel: before!.label, phone: before!.phoneE164, ...drop });
      }
    }
  }
  if (item.kind !== "account_update" || !item.event) return;
  const reinstated = item.event === "DISABLED_UPDATE" && (item.raw.ban_info as { waba_ban_state?: unknown } | undefined)?.waba_ban_state === "REINSTATE";
  for (const n of numbers) {
    const key = { tenantId: n.tenantId, id: n.id };
    if (reinstated) {
      const current = await getNumberById(tx, key);
      if ((current?.lastError as { kind?: unknown } | null)?.kind === "account_update")
        await updateNumber(tx, key, { lastError: null, connectionStatus: "unverified" });
    } else if (ACCOUNT_PROBLEMS.has(item.event)) {
      const lastError = {
        kind: "account_update",
        event: item.event,
        message: describeAccountEvent(item.event, item.raw),
        hint: "Check the account in WhatsApp Manager (Account quality), then test the connection again.",
        details: item.raw,
      } satisfies ConnectionError;
      await updateNumber(tx, key, { connectionStatus: "error", lastError });
    }
  }
}
