// The pace of one number's drip sends: `rate` starts a second, evenly spread, and never more than `rate` in
// any one second. Two rules decide when the next send may start:
// - an even schedule, one start every 1000/rate ms, that a late start does not move: a timer that fires a few
//   ms late or a busy event loop is caught up at once (the starts it held back go together) instead of being
//   lost, as it is by a pacer that waits a full gap after each start (at 80/s a timer 1 ms late is 8 % of the
//   rate, at 1,000/s most of it). A number further behind than the tolerance (it was idle, or the process
//   stalled) starts a new schedule from now: no burst after a pause;
// - a sliding one-second window over the last `rate` starts, so catching up never puts more than `rate`
//   starts into any second (Meta counts throughput per second).
// The clock is passed in (milliseconds, monotonic): tests drive it by hand.

/**
 * How far behind the even schedule a number may fall and still catch up at once, in ms: a whole second, as a
 * process on a busy machine can stall for hundreds of ms; the one-second window keeps the catching up within
 * the rate.
 */
export const PACE_TOLERANCE_MS = 1_000;

export class SendPacer {
  readonly rate: number;
  private readonly gap: number;
  private readonly tolerance: number;
  /** the even schedule's next start time */
  private tat = Number.NEGATIVE_INFINITY;
  /** the last `rate` start times, a ring */
  private readonly starts: Float64Array;
  private count = 0;

  constructor(rate: number, { toleranceMs = PACE_TOLERANCE_MS }: { toleranceMs?: number } = {}) {
    this.rate = Math.max(1, Math.floor(rate));
    this.gap = 1000 / this.rate;
    this.tolerance = Math.max(0, toleranceMs);
    this.starts = new Float64Array(this.rate);
  }

  /** The earliest time (≥ now) the next send may start. */
  earliest(now: number): number {
    const bySchedule = this.tat;
    const byWindow = this.count >= this.rate ? this.starts[this.count % this.rate]! + 1000 : Number.NEGATIVE_INFINITY;
    return Math.max(now, bySchedule, byWindow);
  }

  /** Takes a start at `now` when one is allowed (true), else leaves the pacer as it was (false). */
  tryTake(now: number): boolean {
    if (this.earliest(now) > now) return false;
    // behind by no more than the tolerance: keep the schedule (the next start may be due already); else a new one
    this.tat = (now - this.tat > this.tolerance ? now : this.tat) + this.gap;
    this.starts[this.count % this.rate] = now;
    this.count++;
    return true;
  }
}

export type PaceClock = { now: () => number; sleep: (ms: number) => Promise<void> };

export const realClock: PaceClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Waits until the pacer allows a start, and takes it. */
export async function paced(pacer: SendPacer, clock: PaceClock = realClock): Promise<void> {
  for (;;) {
    const now = clock.now();
    if (pacer.tryTake(now)) return;
    await clock.sleep(Math.max(0, pacer.earliest(now) - now));
  }
}
