// The drip's per-number pace on a clock the test drives: the rate is reached even when every timer fires
// late, and no one-second window ever holds more than the rate.
import { describe, expect, it } from "vitest";
import { type PaceClock, PACE_TOLERANCE_MS, SendPacer, paced } from "./pacer";

/** A clock whose timers fire `lateMs` after they were due (a busy event loop), or exactly on time. */
function fakeClock(lateMs = 0): PaceClock & { t: number; advance: (ms: number) => void } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms + lateMs;
    },
    advance: (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

async function startsOver(pacer: SendPacer, clock: PaceClock, untilMs: number): Promise<number[]> {
  const starts: number[] = [];
  for (;;) {
    await paced(pacer, clock);
    if (clock.now() >= untilMs) return starts;
    starts.push(clock.now());
  }
}

/** The most starts in any one-second window [t, t + 1000). */
function busiestSecond(starts: number[]): number {
  let most = 0;
  let from = 0;
  for (let i = 0; i < starts.length; i++) {
    while (starts[i]! - starts[from]! >= 1000) from++;
    most = Math.max(most, i - from + 1);
  }
  return most;
}

describe("SendPacer", () => {
  it("spreads 80 a second evenly, and never more than 80 in any one second", async () => {
    const clock = fakeClock();
    const starts = await startsOver(new SendPacer(80), clock, 10_000);
    expect(starts.length).toBeGreaterThanOrEqual(799);
    expect(starts.length).toBeLessThanOrEqual(800);
    expect(busiestSecond(starts)).toBe(80);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(Math.min(...gaps)).toBeCloseTo(12.5, 6);
    expect(Math.max(...gaps)).toBeCloseTo(12.5, 6);
  });

  it("keeps 1,000 a second when every timer fires 2 ms late (a pacer that waits a gap after each start would do 333)", async () => {
    const clock = fakeClock(2);
    const starts = await startsOver(new SendPacer(1000), clock, 10_000);
    expect(starts.length).toBeGreaterThanOrEqual(0.99 * 10_000);
    expect(busiestSecond(starts)).toBeLessThanOrEqual(1000);
    for (let s = 1; s < 10; s++) expect(starts.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length).toBeGreaterThanOrEqual(990);
  });

  it("catches up a short stall at once, but never past the rate in any second", async () => {
    const clock = fakeClock();
    const pacer = new SendPacer(80);
    const starts = await startsOver(pacer, clock, 2_000);
    clock.advance(60); // the event loop was busy for 60 ms (less than the tolerance)
    const after = await startsOver(pacer, clock, 10_000);
    const all = [...starts, ...after];
    expect(busiestSecond(all)).toBe(80);
    expect(all.length).toBeGreaterThanOrEqual(799); // nothing lost to the stall
    expect(after.filter((t) => t === 2_060).length).toBeGreaterThan(1); // the missed starts went at once
  });

  it("catches up a stall of 400 ms (a starved process) within the rate: every second still holds 79–80", async () => {
    const clock = fakeClock();
    const pacer = new SendPacer(80);
    const starts = await startsOver(pacer, clock, 3_000);
    clock.advance(400);
    const all = [...starts, ...(await startsOver(pacer, clock, 10_000))];
    expect(busiestSecond(all)).toBe(80);
    for (let s = 0; s < 10; s++) expect(all.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length).toBeGreaterThanOrEqual(79);
    expect(all.length).toBeGreaterThanOrEqual(799); // nothing lost to the stall
  });

  it("after a pause longer than the tolerance, starts one at once and then on a new schedule (no burst)", async () => {
    const clock = fakeClock();
    const pacer = new SendPacer(20);
    await startsOver(pacer, clock, 1_000);
    clock.advance(PACE_TOLERANCE_MS + 5_000);
    const at = clock.now();
    expect(pacer.tryTake(at)).toBe(true);
    expect(pacer.tryTake(at)).toBe(false);
    expect(pacer.earliest(at)).toBe(at + 50);
  });

  it("treats a rate below 1 as 1 a second", async () => {
    const clock = fakeClock();
    const starts = await startsOver(new SendPacer(0), clock, 5_000);
    expect(starts).toEqual([0, 1000, 2000, 3000, 4000]);
  });
});
