// The lifecycle score fades with time (lib/subscribers/lifecycle-score.ts): the 24-hour window closes a day after
// someone last wrote, and recency steps down after a day, a week and a month. The database recomputes a score when
// a fact changes and stores when time alone changes it next (lifecycle_score_until); the scheduled work calls this
// to recompute those whose moment has come, in keyset batches, never in one statement over the whole table.
import type { Db } from "@/db/client";
import { refreshDueScoreBatch, type ScoreCursor } from "@/db/queries/subscriber-scores";

/** Recomputes the scores due by `now`, `batch` rows per statement, until none are left or `budgetMs` is spent; returns how many. */
export async function refreshDueScores(db: Db, { now, batch = 5_000, budgetMs = 10_000 }: { now: Date; batch?: number; budgetMs?: number }): Promise<number> {
  const started = Date.now();
  let after: ScoreCursor | null = null;
  let refreshed = 0;
  for (;;) {
    const round = await refreshDueScoreBatch(db, { now, after, limit: batch });
    refreshed += round.refreshed;
    if (!round.next || round.refreshed < batch || Date.now() - started >= budgetMs) return refreshed;
    after = round.next;
  }
}
