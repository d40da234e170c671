// The lifecycle score's time-driven recompute: subscribers whose score time alone has changed since it was stored
// (lifecycle_score_until has passed: their window closed, or a day, a week or a month went by since they wrote).
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { subscribers } from "../schema";

export type ScoreCursor = { until: Date; id: string };

/**
 * Recomputes up to `limit` due scores after `after`, in (lifecycle_score_until, id) order on the partial index
 * subscribers_score_until_idx: clearing lifecycle_score_until makes the trigger on subscribers compute the score
 * and the next moment again (at the database's now()). Rows another transaction holds are skipped: whatever it
 * writes, the trigger recomputes. Returns how many were recomputed and the cursor for the next batch (null: none were due).
 */
export async function refreshDueScoreBatch(
  db: Db,
  { now, after, limit }: { now: Date; after: ScoreCursor | null; limit: number },
): Promise<{ refreshed: number; next: ScoreCursor | null }> {
  const s = subscribers;
  // the row comparison after a plain bound the index can start from; the rows are updated by key (= any of the
  // batch's ids), which keeps a batch of thousands from joining the whole table
  const past = after
    ? sql`and ${s.lifecycleScoreUntil} >= ${after.until.toISOString()}::timestamptz
        and (${s.lifecycleScoreUntil}, ${s.id}) > (${after.until.toISOString()}::timestamptz, ${after.id}::uuid)`
    : sql``;
  const [row] = rowsOf<{ n: number | string; until: string | Date | null; id: string | null }>(
    await db.execute(sql`
      with due as (
        select ${s.id} as id, ${s.lifecycleScoreUntil} as until from ${s}
        where ${s.lifecycleScoreUntil} <= ${now.toISOString()}::timestamptz ${past}
        order by ${s.lifecycleScoreUntil}, ${s.id}
        limit ${limit}
        for update skip locked
      ), done as (
        update ${s} set lifecycle_score_until = null where ${s.id} = any(array(select id from due)) returning ${s.id}
      ), last as (
        select until, id from due order by until desc, id desc limit 1
      )
      select (select count(*) from done) as n, last.until, last.id from (select 1) one left join last on true`),
  );
  const refreshed = Number(row?.n ?? 0);
  return { refreshed, next: row?.until && row.id ? { until: new Date(row.until), id: row.id } : null };
}
