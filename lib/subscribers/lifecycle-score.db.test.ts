// The lifecycle score's one rule in two places, held in step on both drivers: the database's lifecycle_score_of
// (migration 0023, run by the trigger on subscribers) and lifecycleScore() here, over every combination of a grid
// of facts with their edges (messages 0/1/3/7/15/1000, the last message just inside and outside a day, a week and
// a month, in the future, never; conversions with and without a value; opted out, blocked; an ad with and without
// a click id); lifecycle_score_until_of names the moment the score next changes by time alone; and the rows
// themselves: what the trigger stores after inserts, updates and a conversion is lifecycleScore(facts read back).
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { rowsOf } from "@/db/migrations-info";
import { type NewSubscriber, conversions, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { lifecycleScore, type ScoreFacts, scoreFactsOf } from "./lifecycle-score";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = new Date("2030-05-01T12:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

const MESSAGES = [0, 1, 3, 7, 15, 1000];
const LAST_INBOUND: (Date | null)[] = [
  null,
  new Date(now.getTime() + HOUR), // a provider's clock ahead of ours
  now,
  ago(HOUR),
  ago(DAY - 1),
  ago(DAY),
  ago(DAY + 1),
  ago(7 * DAY - 1),
  ago(7 * DAY),
  ago(7 * DAY + 1),
  ago(30 * DAY - 1),
  ago(30 * DAY),
  ago(30 * DAY + 1),
  ago(400 * DAY),
];
const CONVERSIONS: [number, number][] = [
  [0, 0],
  [1, 0],
  [1, 49.9],
  [3, 268_000],
];
const STANDING = [
  { optedOut: false, blocked: false },
  { optedOut: true, blocked: false },
  { optedOut: false, blocked: true },
];
const ADS = [
  { fromAd: false, hasClickId: false },
  { fromAd: true, hasClickId: false },
  { fromAd: true, hasClickId: true },
  { fromAd: false, hasClickId: true }, // a click id on a later, non-first touch
];

const grid: ScoreFacts[] = MESSAGES.flatMap((inboundCount) =>
  LAST_INBOUND.flatMap((lastInboundAt) =>
    CONVERSIONS.flatMap(([conversions, conversionValue]) =>
      STANDING.flatMap((standing) => ADS.map((ad) => ({ ...ad, ...standing, inboundCount, lastInboundAt, conversions, conversionValue }))),
    ),
  ),
);

describe.each(testDrivers)("lifecycle score, database and code in step (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Scores" })).id;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  /** lifecycle_score_of and lifecycle_score_until_of for each facts, at `at`, in one statement. */
  async function scoresInDb(facts: ScoreFacts[], at: Date) {
    const json = JSON.stringify(
      facts.map((f, i) => ({
        i,
        from_ad: f.fromAd,
        has_click_id: f.hasClickId,
        inbound_count: f.inboundCount,
        last_inbound_at: f.lastInboundAt?.toISOString() ?? null,
        conversions: f.conversions,
        conversion_value: f.conversionValue,
        opted_out: f.optedOut,
        blocked: f.blocked,
      })),
    );
    const rows = rowsOf<{ i: number; score: number; until: string | Date | null }>(
      await t.db.execute(sql`
        select x.i,
          lifecycle_score_of(x.from_ad, x.has_click_id, x.inbound_count, x.last_inbound_at, x.conversions, x.conversion_value,
            x.opted_out, x.blocked, ${at.toISOString()}::timestamptz) as score,
          lifecycle_score_until_of(x.last_inbound_at, x.opted_out, x.blocked, ${at.toISOString()}::timestamptz) as until
        from jsonb_to_recordset(${json}::jsonb) as x(i integer, from_ad boolean, has_click_id boolean, inbound_count integer,
          last_inbound_at timestamptz, conversions integer, conversion_value numeric, opted_out boolean, blocked boolean)
        order by x.i`),
    );
    return rows.map((r) => ({ score: Number(r.score), until: r.until === null ? null : new Date(r.until) }));
  }

  const label = (f: ScoreFacts) =>
    `${f.fromAd ? (f.hasClickId ? "ad+clid" : "ad") : f.hasClickId ? "clid" : "organic"} msgs=${f.inboundCount} last=${
      f.lastInboundAt ? `${(now.getTime() - f.lastInboundAt.getTime()) / HOUR}h ago` : "never"
    } conv=${f.conversions}/${f.conversionValue}${f.optedOut ? " opted-out" : ""}${f.blocked ? " blocked" : ""}`;

  it(`gives the score lifecycleScore() gives, for each of ${grid.length} combinations of facts`, async () => {
    const inDb = await scoresInDb(grid, now);
    const mismatches = grid.map((f, i) => ({ facts: label(f), db: inDb[i]!.score, code: lifecycleScore(f, now).score })).filter((m) => m.db !== m.code);
    expect(mismatches).toEqual([]);
    // the grid reaches both ends and the bands between
    const scores = new Set(inDb.map((r) => r.score));
    expect([0, 100].every((s) => scores.has(s))).toBe(true);
    expect(inDb.some((r) => r.score >= 30 && r.score < 60)).toBe(true);
  });

  it("names the moment time alone changes the score next: the score holds until then and changes there", async () => {
    const inDb = await scoresInDb(grid, now);
    const wrong = grid.flatMap((f, i): { facts: string; until: Date | null; why: string }[] => {
      const until = inDb[i]!.until;
      const score = lifecycleScore(f, now).score;
      const at = (d: Date) => lifecycleScore(f, d).score;
      if (until === null) {
        // nothing left to change: the same score a year on
        return at(new Date(now.getTime() + 365 * DAY)) === score ? [] : [{ facts: label(f), until, why: "changes later though no time was named" }];
      }
      if (until <= now) return [{ facts: label(f), until, why: "named a past moment" }];
      if (at(new Date(until.getTime() - 1)) !== score) return [{ facts: label(f), until, why: "changes before it" }];
      if (at(until) === score) return [{ facts: label(f), until, why: "does not change at it" }];
      return [];
    });
    expect(wrong).toEqual([]);
  });

  async function insertSubscriber(values: Partial<NewSubscriber> = {}) {
    const [row] = await t.db
      .insert(subscribers)
      .values({ tenantId, waPhone: `+4917${String((seq += 1)).padStart(8, "0")}`, firstSeenAt: new Date(), ...values })
      .returning();
    return row!;
  }
  const readBack = async (id: string) => (await t.db.select().from(subscribers).where(eq(subscribers.id, id)))[0]!;
  /** The stored score and the code's score of the facts read back (times well away from a boundary: the trigger's clock is the database's). */
  const stored = async (id: string) => {
    const row = await readBack(id);
    return { stored: row.lifecycleScore, code: lifecycleScore(scoreFactsOf(row), new Date()).score };
  };

  it("stores the code's score on insert, whatever score the writer sent", async () => {
    const real = new Date();
    const cases: Partial<NewSubscriber>[] = [
      {},
      { lifecycleScore: 99 },
      { inboundCount: 1, lastInboundAt: new Date(real.getTime() - 2 * HOUR) },
      { inboundCount: 7, lastInboundAt: new Date(real.getTime() - 3 * DAY), firstTouchSource: "ad", hasClickId: true },
      { inboundCount: 15, lastInboundAt: new Date(real.getTime() - 10 * DAY), firstTouchSource: "post" },
      { inboundCount: 3, lastInboundAt: new Date(real.getTime() - 60 * DAY), status: "inactive" },
      { inboundCount: 9, lastInboundAt: new Date(real.getTime() - HOUR), firstTouchSource: "ad", status: "opted_out", lifecycleScore: 80 },
      { inboundCount: 9, lastInboundAt: new Date(real.getTime() - HOUR), status: "blocked" },
    ];
    const got = [];
    for (const values of cases) got.push(await stored((await insertSubscriber(values)).id));
    expect(got.map((g) => g.stored)).toEqual(got.map((g) => g.code));
    expect(got.map((g) => g.stored)).toEqual([0, 0, 5 + 15 + 20, 20 + 15 + 12, 10 + 20 + 6, 10, 0, 0]);
  });

  it("keeps it current as the facts change: messages, the first touch, a conversion, an opt-out and back", async () => {
    const real = Date.now();
    const s = await insertSubscriber({ firstSeenAt: new Date(real - 5 * DAY) });
    const steps: [string, () => Promise<unknown>][] = [
      [
        "wrote twice",
        () =>
          t.db
            .update(subscribers)
            .set({ inboundCount: 2, lastInboundAt: new Date(real - 3 * HOUR) })
            .where(eq(subscribers.id, s.id)),
      ],
      ["an ad touch", () => t.db.update(subscribers).set({ firstTouchSource: "ad", hasClickId: true }).where(eq(subscribers.id, s.id))],
      [
        "a conversion without a value",
        () =>
          t.db.insert(conversions).values({ tenantId, subscriberId: s.id, eventId: `e-${s.id}-1`, eventName: "Lead", eventTime: new Date(), requestHash: "h" }),
      ],
      [
        "a rejected conversion (not counted)",
        () =>
          t.db.insert(conversions).values({
            tenantId,
            subscriberId: s.id,
            eventId: `e-${s.id}-2`,
            eventName: "Purchase",
            eventTime: new Date(),
            requestHash: "h",
            value: "50",
            status: "rejected",
          }),
      ],
      [
        "a purchase",
        () =>
          t.db
            .insert(conversions)
            .values({ tenantId, subscriberId: s.id, eventId: `e-${s.id}-3`, eventName: "Purchase", eventTime: new Date(), requestHash: "h", value: "120.50" }),
      ],
      ["opted out", () => t.db.update(subscribers).set({ status: "opted_out" }).where(eq(subscribers.id, s.id))],
      ["back", () => t.db.update(subscribers).set({ status: "active" }).where(eq(subscribers.id, s.id))],
      [
        "silent for ten days",
        () =>
          t.db
            .update(subscribers)
            .set({ lastInboundAt: new Date(real - 10 * DAY) })
            .where(eq(subscribers.id, s.id)),
      ],
    ];
    const got: Record<string, { stored: number | null; code: number }> = {};
    for (const [name, step] of steps) {
      await step();
      got[name] = await stored(s.id);
    }
    expect(Object.values(got).map((g) => g.stored)).toEqual(Object.values(got).map((g) => g.code));
    expect(Object.fromEntries(Object.entries(got).map(([k, g]) => [k, g.stored]))).toEqual({
      "wrote twice": 8 + 15 + 20,
      "an ad touch": 20 + 8 + 15 + 20,
      "a conversion without a value": 20 + 8 + 15 + 15 + 20,
      "a rejected conversion (not counted)": 20 + 8 + 15 + 15 + 20,
      "a purchase": 20 + 8 + 15 + 25 + 20,
      "opted out": 0,
      back: 20 + 8 + 15 + 25 + 20,
      "silent for ten days": 20 + 8 + 25 + 6,
    });
    const row = await readBack(s.id);
    expect([row.conversionsCount, Number(row.conversionsValue)]).toEqual([2, 120.5]);
    // the next change by time alone: the month after the last message
    expect(row.lifecycleScoreUntil?.getTime()).toBe(real - 10 * DAY + 30 * DAY);
  });

  it("names the next change by the clock, not the calendar, whatever the session's time zone", async () => {
    // 2030-03-31 01:00 UTC is when the UK moves to summer time: a calendar day across it is 23 hours, the score's
    // day is 24 (lifecycle_score_of compares the time since with 24 hours)
    const last = new Date("2030-03-30T12:00:00.000Z");
    const at = new Date("2030-03-30T13:00:00.000Z");
    const until = await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local time zone 'Europe/London'`);
      const rows = rowsOf<{ until: string | Date }>(
        await tx.execute(sql`select lifecycle_score_until_of(${last.toISOString()}::timestamptz, false, false, ${at.toISOString()}::timestamptz) as until`),
      );
      return new Date(rows[0]!.until);
    });
    expect(until.toISOString()).toBe(new Date(last.getTime() + DAY).toISOString());
  });
});
