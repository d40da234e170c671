// The filtered subscriber list as CSV, produced page by page (keyset, 1,000 rows at a time) so memory
// stays flat however long the list is. Cells that a spreadsheet would run as a formula are defused.
import type { Db } from "@/db/client";
import { listSubscriberPage } from "@/db/queries/subscriber-list";
import type { SubscriberFilters } from "./list-filters";
import { toListQuery } from "./list";

const BATCH = 1000;

export const EXPORT_COLUMNS = [
  "id",
  "name",
  "wa_phone",
  "wa_id",
  "user_id",
  "country",
  "status",
  "lifecycle",
  "lifecycle_score",
  "tags",
  "first_seen_at",
  "last_inbound_at",
  "inbound_count",
  "outbound_count",
  "last_message_status",
  "window_expires_at",
  "first_touch_source",
  "first_touch_headline",
  "first_touch_campaign",
  "first_touch_ad_id",
  "first_touch_ad",
  "has_click_id",
  "marketing_preference",
  "marketing_preference_at",
] as const;

/** RFC 4180 quoting; a leading = @ tab or CR (or +/- not starting a number) is prefixed with ' against formula injection. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=@\t\r]/.test(text) || /^[+-](?![\d\s().-]*$)/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The CSV in chunks. The header comes with the first batch, so the first chunk is read only once the first
 * query has answered: a caller that awaits it before answering never sends a half-written file for a query
 * that fails at once.
 */
export async function* exportSubscribersCsv(
  db: Db,
  { tenantId, filters, now }: { tenantId: string; filters: SubscriberFilters; now: Date },
): AsyncGenerator<string> {
  const query = toListQuery(tenantId, filters, now);
  let head = `${EXPORT_COLUMNS.join(",")}\r\n`;
  let cursor: { at: Date | null; id: string } | undefined;
  for (;;) {
    const rows = await listSubscriberPage(db, { ...query, cursor, limit: BATCH - 1 }); // limit + 1 rows come back
    if (rows.length === 0) {
      if (head) yield head;
      return;
    }
    const lines = rows.map(({ subscriber: s, firstTouch: ft }) =>
      [
        s.id,
        s.profileName ?? s.username,
        s.waPhone,
        s.waId,
        s.userId,
        s.country,
        s.status,
        s.lifecycleState,
        s.lifecycleScore,
        s.tags.join("; "),
        iso(s.firstSeenAt),
        iso(s.lastInboundAt),
        s.inboundCount,
        s.outboundCount,
        s.lastMessageStatus,
        iso(s.conversationExpiresAt),
        ft ? (ft.sourceType ?? "unknown") : "organic",
        ft?.headline,
        ft?.campaignName ?? ft?.utmCampaign,
        ft?.adId,
        ft?.adName,
        s.hasClickId,
        s.marketingPreference,
        iso(s.marketingPreferenceAt),
      ]
        .map(csvCell)
        .join(","),
    );
    yield `${head}${lines.join("\r\n")}\r\n`;
    head = "";
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1]!.subscriber;
    cursor = { at: filters.sort === "first_seen" ? last.firstSeenAt : last.lastInboundAt, id: last.id };
  }
}
