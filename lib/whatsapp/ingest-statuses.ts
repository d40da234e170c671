// Delivery statuses of a batch → messages (and drip rows) move monotonically; subscribers get their
// last status, delivered/read/failed times and the failure code.
import type { Db } from "@/db/client";
import {
  MESSAGE_STATUS_RANK,
  type MessageStatusFacts,
  type SubscriberStatusDelta,
  applyMessageStatusFacts,
  applySubscriberStatusDeltas,
  findSubscribersByIdentity,
} from "@/db/queries";
import { toWaPhone } from "@/lib/subscribers/identity";
import type { StatusUpdate } from "./normalised";
import { type Routed, maxDate, minDate } from "./routed";

const STATUS_NAMES: Record<string, string> = {
  sent: "sent",
  delivered: "delivered",
  read: "read",
  played: "read",
  failed: "failed",
  deleted: "deleted",
  enqueued: "accepted",
};
const STATUS_RANK = MESSAGE_STATUS_RANK;

type Latest = { status: string; at: Date };
type StatusGroup = MessageStatusFacts & { latest: Latest | null; recipientPhone: string | null; recipientUserId: string | null };

/** A newer status, or one of the same instant that ranks higher (provider times are often whole seconds). */
function supersedes(next: Latest, current: Latest | null): boolean {
  if (!current) return true;
  const dt = next.at.getTime() - current.at.getTime();
  return dt > 0 || (dt === 0 && (STATUS_RANK[next.status] ?? 0) > (STATUS_RANK[current.status] ?? 0));
}

function addStatus(g: StatusGroup, s: StatusUpdate, status: string): void {
  const at = s.timestamp;
  if ((STATUS_RANK[status] ?? 0) > (STATUS_RANK[g.status] ?? 0)) g.status = status;
  if (status === "sent") g.sentAt = minDate(g.sentAt, at);
  if (status === "delivered") g.deliveredAt = minDate(g.deliveredAt, at);
  if (status === "read") g.readAt = minDate(g.readAt, at);
  if (status === "failed" && (!g.failedAt || at.getTime() >= g.failedAt.getTime())) {
    const e = s.errors[0];
    Object.assign(g, {
      failedAt: at,
      errorCode: e && e.code !== null ? String(e.code) : null,
      errorTitle: e?.title ?? e?.message ?? null,
      errorDetail: e?.details ?? null,
    });
  }
  if (["sent", "delivered", "read", "failed"].includes(status) && supersedes({ status, at }, g.latest)) g.latest = { status, at };
  g.metaConversationId ??= s.conversation?.id ?? null;
  g.metaOrigin ??= s.conversation?.originType ?? null;
  g.recipientPhone ??= toWaPhone(s.recipientId);
  g.recipientUserId ??= s.recipientUserId;
}

/** Groups status events by message: events naming any common id (wamid, Gupshup ids) describe the same message. */
function groupStatuses(routed: Routed<StatusUpdate>[]): StatusGroup[] {
  const groupOf = new Map<string, StatusGroup>();
  const groups: StatusGroup[] = [];
  for (const { item } of routed) {
    const status = STATUS_NAMES[item.status];
    if (!status) continue; // warning, set-callback, unknown: nothing to apply
    const ids = [...new Set(item.matchIds.length > 0 ? item.matchIds : [item.wamid])];
    const found = [...new Set(ids.flatMap((id) => (groupOf.has(id) ? [groupOf.get(id)!] : [])))];
    let g = found[0];
    if (!g) {
      g = {
        key: groups.length,
        ids: [],
        status: "",
        sentAt: null,
        deliveredAt: null,
        readAt: null,
        failedAt: null,
        errorCode: null,
        errorTitle: null,
        errorDetail: null,
        metaConversationId: null,
        metaOrigin: null,
        latest: null,
        recipientPhone: null,
        recipientUserId: null,
      };
      groups.push(g);
    }
    for (const other of found.slice(1)) mergeGroup(g, other, groupOf);
    for (const id of ids) {
      if (groupOf.has(id)) continue;
      groupOf.set(id, g);
      g.ids.push(id);
    }
    addStatus(g, item, status);
  }
  return groups.filter((g) => g.ids.length > 0).map((g, key) => ({ ...g, key }));
}

function mergeGroup(into: StatusGroup, from: StatusGroup, groupOf: Map<string, StatusGroup>): void {
  for (const id of from.ids) {
    groupOf.set(id, into);
    into.ids.push(id);
  }
  if ((STATUS_RANK[from.status] ?? 0) > (STATUS_RANK[into.status] ?? 0)) into.status = from.status;
  Object.assign(into, {
    sentAt: minDate(into.sentAt, from.sentAt),
    deliveredAt: minDate(into.deliveredAt, from.deliveredAt),
    readAt: minDate(into.readAt, from.readAt),
  });
  if (from.failedAt && (!into.failedAt || from.failedAt.getTime() >= into.failedAt.getTime())) {
    Object.assign(into, { failedAt: from.failedAt, errorCode: from.errorCode, errorTitle: from.errorTitle, errorDetail: from.errorDetail });
  }
  if (from.latest && supersedes(from.latest, into.latest)) into.latest = from.latest;
  Object.assign(into, { metaConversationId: into.metaConversationId ?? from.metaConversationId, metaOrigin: into.metaOrigin ?? from.metaOrigin });
  Object.assign(into, { recipientPhone: into.recipientPhone ?? from.recipientPhone, recipientUserId: into.recipientUserId ?? from.recipientUserId });
  from.ids = []; // emptied groups are dropped when the batch's groups are numbered
}

function addDelta(deltas: Map<string, SubscriberStatusDelta>, subscriberId: string, g: StatusGroup): void {
  if (!g.latest) return;
  const d = deltas.get(subscriberId) ?? {
    id: subscriberId,
    status: g.latest.status,
    statusAt: g.latest.at,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    failedCode: null,
    failedReason: null,
  };
  if (supersedes(g.latest, { status: d.status, at: d.statusAt })) Object.assign(d, { status: g.latest.status, statusAt: g.latest.at });
  d.deliveredAt = maxDate(d.deliveredAt, g.deliveredAt ?? g.readAt); // a read implies delivery
  d.readAt = maxDate(d.readAt, g.readAt);
  if (g.failedAt && (!d.failedAt || g.failedAt.getTime() >= d.failedAt.getTime())) {
    Object.assign(d, { failedAt: g.failedAt, failedCode: g.errorCode, failedReason: g.errorTitle ?? g.errorDetail });
  }
  deltas.set(subscriberId, d);
}

/**
 * Statuses of one tenant: messages (and drip rows) matched by any id the events name move monotonically;
 * subscribers get last status/delivered/read/failed. A status for a message we never stored is recorded on
 * the subscriber its recipient id names, if any; otherwise it is dropped (the raw event keeps it).
 */
export async function applyStatuses(tx: Db, tenantId: string, routed: Routed<StatusUpdate>[], now: Date): Promise<number> {
  const groups = groupStatuses(routed);
  if (groups.length === 0) return 0;
  const matched = await applyMessageStatusFacts(tx, { tenantId, facts: groups, now });
  const deltas = new Map<string, SubscriberStatusDelta>();
  for (const m of matched) addDelta(deltas, m.subscriberId, groups[m.key]!);
  const matchedKeys = new Set(matched.map((m) => m.key));
  const orphans = groups.filter((g) => !matchedKeys.has(g.key) && (g.recipientPhone || g.recipientUserId));
  if (orphans.length > 0) {
    const found = await findSubscribersByIdentity(tx, {
      tenantId,
      waPhones: orphans.flatMap((g) => (g.recipientPhone ? [g.recipientPhone] : [])),
      userIds: orphans.flatMap((g) => (g.recipientUserId ? [g.recipientUserId] : [])),
    });
    for (const g of orphans) {
      const sub =
        found.find((f) => f.waPhone !== null && f.waPhone === g.recipientPhone) ?? found.find((f) => f.userId !== null && f.userId === g.recipientUserId);
      if (sub) addDelta(deltas, sub.id, g);
    }
  }
  await applySubscriberStatusDeltas(tx, { tenantId, deltas: [...deltas.values()], now });
  return routed.length;
}
