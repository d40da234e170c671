// A drip message reaches the provider once even when a run outlives its lease: runs renew their leases
// while they work, and a run never sends a row another run took over. Real Postgres (PGlite serialises
// everything on one connection and cannot show these races), a fake Cloud API on loopback.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueOutbound } from "@/db/queries";
import { whatsappNumbers } from "@/db/schema";
import { runDrip } from "./dispatch";
import { type SendOnceFixture, startSendOnceFixture } from "./send-once.fixture";

async function until(check: () => boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("a drip message is sent once (postgres)", () => {
  let f: SendOnceFixture;
  beforeAll(async () => {
    f = await startSendOnceFixture("postgres");
  });
  afterAll(async () => {
    await f.close();
  });

  it("runs side by side, each send slower than the lease: every message reaches the provider once", async () => {
    await f.queue(15, 421);
    f.delay.default = 2_500; // each answer takes 2.5 s; the leases last 1 s
    const started = Date.now();
    // the first run claims all 15 at once; the others start while its sends are out longer than a lease
    const runs = await Promise.all(
      [0, 1_200, 2_000].map(async (wait) => {
        await new Promise((r) => setTimeout(r, wait));
        return runDrip(f.t.db, f.deps(), { leaseMs: 1_000, budgetMs: 60_000 });
      }),
    );
    f.delay.default = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    const to = f.sentTo(421);
    expect(to).toHaveLength(15);
    expect(new Set(to).size).toBe(15);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(15);
    expect((await f.rowsOf(421)).map((r) => r.status)).toEqual(Array(15).fill("sent"));
  }, 120_000);

  it("a run whose rows were taken over does not send them; the new holder does, once", async () => {
    await f.t.db.update(whatsappNumbers).set({ sendRatePerSecond: 5 }).where(eq(whatsappNumbers.id, f.numberIds[0]!));
    await f.queue(20, 422, 1); // at 5/s: about 4 s of sending
    const running = runDrip(f.t.db, f.deps(), { leaseMs: 5_000, budgetMs: 60_000 });
    await until(() => f.sentTo(422).length >= 3);
    // another run, its clock past the first run's leases, takes every row the first has not begun to send
    const thief = "00000000-0000-4000-8000-00000000beef";
    const future = new Date(Date.now() + 10 * 60_000);
    const stolen = await claimDueOutbound(f.t.db, { now: future, limit: 100, leaseMs: 10 * 60_000, runId: thief });
    const first = await running;
    await f.t.db.update(whatsappNumbers).set({ sendRatePerSecond: 80 }).where(eq(whatsappNumbers.id, f.numberIds[0]!));

    expect(stolen.length).toBeGreaterThan(0);
    // the run claims about a second of the number's rows ahead of its sends: those it held but had not begun were
    // taken (lost), and so were the rows it had not claimed yet; every row it had begun is its own to finish
    expect(first.lost).toBeGreaterThan(0);
    expect(first.lost).toBeLessThanOrEqual(stolen.length);
    expect(first.sent).toBe(20 - stolen.length);
    const stolenPhones = new Set(stolen.map((r) => r.phone));
    expect(f.sentTo(422).filter((p) => stolenPhones.has(p))).toEqual([]);
    const held = (await f.rowsOf(422)).filter((r) => stolenPhones.has(r.phone));
    expect(held.map((r) => [r.status, r.leaseOwner])).toEqual(stolen.map(() => ["sending", thief]));

    // the thief died holding them: once its lease is over they are sent, each once
    const later = await runDrip(f.t.db, f.deps(), { now: () => new Date(future.getTime() + 11 * 60_000), budgetMs: 30_000 });
    expect(later.sent).toBe(stolen.length);
    expect(f.sentTo(422)).toHaveLength(20);
    expect(new Set(f.sentTo(422)).size).toBe(20);
  }, 120_000);
});
