import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { claimDueJobs, getJobByKey } from "@/db/queries/jobs";
import { jobs } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { backoffMs, drainJobs, enqueueJob, type JobOutcome } from "./queue";

const t0 = new Date("2026-11-21T10:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

describe("backoffMs", () => {
  it("grows ×4 per attempt from 30 s and caps at an hour", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffMs(a, mid))).toEqual([30_000, 120_000, 480_000, 1_920_000, 3_600_000, 3_600_000]);
    expect(backoffMs(1, () => 0)).toBe(27_000);
    expect(backoffMs(1, () => 1)).toBe(33_000);
  });
});

describe.each(testDrivers)("jobs queue (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Jobs" })).id;
  });
  beforeEach(async () => {
    await t.db.delete(jobs).where(eq(jobs.tenantId, tenantId));
  });
  afterAll(() => t.cleanup());

  it("keeps one job per (kind, dedupe key) and can requeue a finished one", async () => {
    const first = await enqueueJob(t.db, { tenantId, kind: "ad_enrichment", dedupeKey: "ad:1", payload: { adId: "1" }, runAt: t0 });
    expect(first).not.toBeNull();
    expect(await enqueueJob(t.db, { tenantId, kind: "ad_enrichment", dedupeKey: "ad:1", runAt: t0 })).toBeNull();
    // a job without a key never deduplicates
    expect(await enqueueJob(t.db, { tenantId, kind: "ad_enrichment", runAt: t0 })).not.toBeNull();
    expect(await enqueueJob(t.db, { tenantId, kind: "ad_enrichment", runAt: t0 })).not.toBeNull();
    // still pending: requeue leaves it alone
    expect(await enqueueJob(t.db, { tenantId, kind: "ad_enrichment", dedupeKey: "ad:1", runAt: t0, ifFinished: "requeue" })).toBeNull();
    await t.db.update(jobs).set({ status: "failed", attempts: 5, lastError: "boom" }).where(eq(jobs.id, first!.id));
    const again = await enqueueJob(t.db, { tenantId, kind: "ad_enrichment", dedupeKey: "ad:1", runAt: later(1000), ifFinished: "requeue" });
    expect(again).toMatchObject({ id: first!.id, status: "pending", attempts: 0, lastError: null, runAt: later(1000) });
  });

  it("runs due jobs, retries transient failures with backoff and gives up after maxAttempts", async () => {
    await enqueueJob(t.db, { tenantId, kind: "ok", dedupeKey: "a", runAt: t0 });
    await enqueueJob(t.db, { tenantId, kind: "flaky", dedupeKey: "b", runAt: t0, maxAttempts: 2 });
    await enqueueJob(t.db, { tenantId, kind: "bad", dedupeKey: "c", runAt: t0 });
    await enqueueJob(t.db, { tenantId, kind: "ok", dedupeKey: "future", runAt: later(60_000) });
    const handlers = {
      ok: async (): Promise<JobOutcome> => ({ ok: true, result: { fine: true } }),
      flaky: async (): Promise<JobOutcome> => {
        throw new Error("Graph API timed out");
      },
      bad: async (): Promise<JobOutcome> => ({ ok: false, error: "Unsupported ad id", retryable: false }),
    };
    let clock = t0;
    const now = () => clock;
    expect(await drainJobs(t.db, { handlers, now })).toEqual({ claimed: 3, done: 1, retried: 1, failed: 1 });
    expect(await getJobByKey(t.db, { kind: "ok", dedupeKey: "a" })).toMatchObject({ status: "done", attempts: 1, result: { fine: true } });
    expect(await getJobByKey(t.db, { kind: "bad", dedupeKey: "c" })).toMatchObject({ status: "failed", attempts: 1, lastError: "Unsupported ad id" });
    const flaky = await getJobByKey(t.db, { kind: "flaky", dedupeKey: "b" });
    expect(flaky).toMatchObject({ status: "pending", attempts: 1, lastError: "Graph API timed out" });
    const wait = flaky!.runAt.getTime() - t0.getTime();
    expect(wait).toBeGreaterThanOrEqual(27_000);
    expect(wait).toBeLessThanOrEqual(33_000);
    // not due yet: nothing to do
    expect(await drainJobs(t.db, { handlers, now })).toEqual({ claimed: 0, done: 0, retried: 0, failed: 0 });
    clock = later(61_000);
    expect(await drainJobs(t.db, { handlers, now })).toEqual({ claimed: 2, done: 1, retried: 0, failed: 1 });
    expect(await getJobByKey(t.db, { kind: "flaky", dedupeKey: "b" })).toMatchObject({ status: "failed", attempts: 2 });
  });

  it("gives a crashed worker's jobs back once the lease expires, and ignores its late answer", async () => {
    await enqueueJob(t.db, { tenantId, kind: "ok", dedupeKey: "lease", runAt: t0 });
    const [claimed] = await claimDueJobs(t.db, { now: t0, limit: 10, leaseMs: 60_000, kinds: ["ok"] });
    expect(claimed).toMatchObject({ status: "running", attempts: 1 });
    expect(await claimDueJobs(t.db, { now: later(30_000), limit: 10, leaseMs: 60_000, kinds: ["ok"] })).toHaveLength(0);
    const handlers = { ok: async (): Promise<JobOutcome> => ({ ok: true }) };
    expect(await drainJobs(t.db, { handlers, now: () => later(61_000) })).toMatchObject({ claimed: 1, done: 1 });
    expect(await getJobByKey(t.db, { kind: "ok", dedupeKey: "lease" })).toMatchObject({ status: "done", attempts: 2 });
  });

  it("fails a job whose kind has no handler", async () => {
    await enqueueJob(t.db, { tenantId, kind: "mystery", dedupeKey: "m", runAt: t0 });
    expect(await drainJobs(t.db, { handlers: {}, kinds: ["mystery"], now: () => t0 })).toMatchObject({ failed: 1 });
    expect(await getJobByKey(t.db, { kind: "mystery", dedupeKey: "m" })).toMatchObject({ status: "failed", lastError: 'No handler for job kind "mystery"' });
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("jobs queue under concurrency (postgres)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb("postgres");
  });
  afterAll(() => t.cleanup());

  it("four parallel drainers run each of 300 jobs exactly once", async () => {
    const tenantId = (await insertTenant(t.db, { name: "Race" })).id;
    for (let i = 0; i < 300; i++) await enqueueJob(t.db, { tenantId, kind: "count", dedupeKey: `k${i}`, runAt: t0 });
    const seen = new Map<string, number>();
    const handlers = {
      count: async (job: { id: string }): Promise<JobOutcome> => {
        seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 1));
        return { ok: true };
      },
    };
    const results = await Promise.all(Array.from({ length: 4 }, () => drainJobs(t.db, { handlers, now: () => t0, batchSize: 20 })));
    expect(results.reduce((n, r) => n + r.done, 0)).toBe(300);
    expect(seen.size).toBe(300);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(results.filter((r) => r.claimed > 0).length).toBeGreaterThan(1);
  });
});
