// What the audience pages and their client components get of a connected audience: plain, serialisable, no token.
import type { MetaAudience } from "@/db/schema";

export type AudienceView = {
  id: string;
  name: string;
  adAccountId: string;
  /** Meta's audience id */
  audienceId: string;
  numberId: string | null;
  /** the token is a Cloud number's ("number") or a system user's pasted on the audience ("token") */
  tokenSource: "number" | "token";
  segment: Record<string, string>;
  enabled: boolean;
  syncStatus: MetaAudience["syncStatus"];
  sizeSent: number;
  addedTotal: number;
  removedTotal: number;
  lastSyncedAt: number | null;
  lastFullSyncAt: number | null;
  lastError: string | null;
  lastErrorHint: string | null;
  lastErrorAt: number | null;
  createdAt: number;
};

/** A row of db/queries/audiences.ts (listAudiences, getAudienceView) or lib/audiences/manage.ts: never the token itself. */
type AudienceRow = Omit<MetaAudience, "accessTokenEnc" | "syncedThrough" | "updatedAt" | "tenantId"> & { hasOwnToken: boolean };

const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);

export function audienceView(row: AudienceRow): AudienceView {
  return {
    id: row.id,
    name: row.name,
    adAccountId: row.adAccountId,
    audienceId: row.audienceId,
    numberId: row.numberId,
    tokenSource: row.hasOwnToken ? "token" : "number",
    segment: row.segment ?? {},
    enabled: row.enabled,
    syncStatus: row.syncStatus,
    sizeSent: row.sizeSent,
    addedTotal: row.addedTotal,
    removedTotal: row.removedTotal,
    lastSyncedAt: ms(row.lastSyncedAt),
    lastFullSyncAt: ms(row.lastFullSyncAt),
    lastError: row.lastError,
    lastErrorHint: row.lastErrorHint,
    lastErrorAt: ms(row.lastErrorAt),
    createdAt: row.createdAt.getTime(),
  };
}

/** Option lists the segment picker and the segment's words need (the workspace's numbers, campaigns and ads). */
export type SegmentOptions = {
  numbers: { value: string; label: string }[];
  campaigns: { value: string; label: string }[];
  ads: { value: string; label: string }[];
};

/** A sync is running or waiting to run: the pages refresh themselves meanwhile. */
export function syncPending(a: Pick<AudienceView, "enabled" | "syncStatus" | "lastSyncedAt">): boolean {
  return a.enabled && (a.syncStatus === "syncing" || (a.syncStatus === "idle" && a.lastSyncedAt === null));
}
