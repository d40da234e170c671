// The lifecycle score fades with time on both drivers: a subscriber who wrote almost a day ago has their window's
// points until the day is over; once it is, the sweep (alone or in the scheduled work) recomputes their score, in
// keyset batches that visit each due row once (ties on the moment included), and leaves the rest alone.
// The trigger computes at the database's now(), so the test's times are relative to the real clock.
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { setEnvForTests } from "@/lib/env";
import { runScheduledWork } from "@/lib/scheduler";
import { lifecycleScore, scoreFactsOf } from "./lifecycle-score";
import { refreshDueScores } from "./score-sweep";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDrivers)("lifecycle score sweep (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let seq = 0;
  let restoreEnv = () => {};
  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Fading" })).id;
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") });
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  /** `n` subscribers who wrote 3 times, `lastAgo` ms ago (all at the same instant: ties on lifecycle_score_until). */
  async function wrote(n: number, lastAgo: number) {
    const lastInboundAt = new Date(Date.now() - lastAgo);
    const rows = await t.db
      .insert(subscribers)
      .values(
        Array.from({ length: n }, () => ({
          tenantId,
          waPhone: `+4917${String((seq += 1)).padStart(8, "0")}`,
          firstSeenAt: lastInboundAt,
          lastInboundAt,
          inboundCount: 3,
        })),
      )
      .returning();
    return rows.map((r) => r.id);
  }
  /** The rows, in the order of `ids`. */
  const rowsOf = async (ids: string[]) => {
    const rows = await t.db.select().from(subscribers).where(inArray(subscribers.id, ids));
    return ids.map((id) => rows.find((r) => r.id === id)!);
  };
  /** Waits until the moment the rows' scores are due has passed. */
  const waitUntilDue = async (ids: string[]) => {
    const due = Math.max(...(await rowsOf(ids)).map((r) => r.lifecycleScoreUntil!.getTime()));
    await sleep(Math.max(0, due - Date.now()) + 50);
  };

  it("recomputes a score once its window has closed, in batches, and only the due ones", async () => {
    const closing = await wrote(7, DAY - 2_000); // their window closes in 2 s
    const fresh = await wrote(2, 2 * HOUR); // theirs in 22 hours
    const before = await rowsOf([...closing, ...fresh]);
    expect(before.map((r) => r.lifecycleScore)).toEqual(before.map(() => 10 + 15 + 20));
    const freshUntil = (await rowsOf(fresh)).map((r) => r.lifecycleScoreUntil?.getTime());

    // nothing is due yet
    expect(await refreshDueScores(t.db, { now: new Date(), batch: 3 })).toBe(0);
    await waitUntilDue(closing);
    // each of the 7 tied rows once, in batches of 3
    expect(await refreshDueScores(t.db, { now: new Date(), batch: 3 })).toBe(7);
    const after = await rowsOf(closing);
    expect(after.map((r) => r.lifecycleScore)).toEqual(after.map(() => 10 + 12)); // window closed, a week's recency
    expect(after.map((r) => r.lifecycleScore)).toEqual(after.map((r) => lifecycleScore(scoreFactsOf(r), new Date()).score));
    // next: a week after they wrote
    expect(after.map((r) => r.lifecycleScoreUntil!.getTime() - r.lastInboundAt!.getTime())).toEqual(after.map(() => 7 * DAY));
    expect((await rowsOf(fresh)).map((r) => [r.lifecycleScore, r.lifecycleScoreUntil?.getTime()])).toEqual(freshUntil.map((u) => [45, u]));
    expect(await refreshDueScores(t.db, { now: new Date() })).toBe(0); // nothing twice
  });

  it("stops after its budget with the rest still due, and the next run goes on", async () => {
    const ids = await wrote(5, DAY - 2_000);
    await waitUntilDue(ids);
    expect(await refreshDueScores(t.db, { now: new Date(), batch: 2, budgetMs: 0 })).toBe(2);
    expect((await rowsOf(ids)).filter((r) => r.lifecycleScore === 22)).toHaveLength(2);
    expect(await refreshDueScores(t.db, { now: new Date(), batch: 2 })).toBe(3);
    expect((await rowsOf(ids)).map((r) => r.lifecycleScore)).toEqual(ids.map(() => 22));
  });

  it("leaves opted-out subscribers and those silent for over a month with nothing to recompute", async () => {
    const [gone] = await wrote(1, HOUR);
    const [old] = await wrote(1, 40 * DAY);
    await t.db.update(subscribers).set({ status: "opted_out" }).where(eq(subscribers.id, gone!));
    expect((await rowsOf([gone!, old!])).map((r) => [r.lifecycleScore, r.lifecycleScoreUntil])).toEqual([
      [0, null],
      [10, null],
    ]);
  });

  it("runs in the scheduled work", async () => {
    const ids = await wrote(3, DAY - 2_000);
    await waitUntilDue(ids);
    const result = await runScheduledWork(t.db, { budgetMs: 5_000 });
    expect(result.scoresRefreshed).toBe(3);
    expect((await rowsOf(ids)).map((r) => r.lifecycleScore)).toEqual(ids.map(() => 22));
  });
});
