// The lifecycle score's parts and bounds (lib/subscribers/lifecycle-score.ts).
import { describe, expect, it } from "vitest";
import { lifecycleScore, type ScoreFacts } from "./lifecycle-score";

const now = new Date("2030-05-01T12:00:00Z");
const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const nobody: ScoreFacts = {
  fromAd: false,
  hasClickId: false,
  inboundCount: 0,
  lastInboundAt: null,
  conversions: 0,
  conversionValue: 0,
  optedOut: false,
  blocked: false,
};

describe("lifecycle score", () => {
  it("is 0 for someone we know nothing of", () => {
    expect(lifecycleScore(nobody, now)).toEqual({ score: 0, parts: [] });
  });

  it("adds up every part for a buyer from an ad who is writing now: 100", () => {
    const r = lifecycleScore(
      { ...nobody, fromAd: true, hasClickId: true, inboundCount: 15, lastInboundAt: ago(1), conversions: 2, conversionValue: 268_000 },
      now,
    );
    expect(r.score).toBe(100);
    expect(r.parts.map((p) => [p.part, p.points])).toEqual([
      ["ad", 20],
      ["replies", 20],
      ["window", 15],
      ["value", 15],
      ["value", 10],
      ["recency", 20],
    ]);
  });

  it("scores a fresh ad click that wrote once (no click id: half the ad's points)", () => {
    const r = lifecycleScore({ ...nobody, fromAd: true, inboundCount: 1, lastInboundAt: ago(2) }, now);
    expect(r.score).toBe(10 + 5 + 15 + 20);
    expect(r.parts.find((p) => p.part === "replies")!.why).toBe("Wrote 1 message");
  });

  it("lets recency fade: a day, a week, a month, older", () => {
    const at = (hours: number) => lifecycleScore({ ...nobody, inboundCount: 3, lastInboundAt: ago(hours) }, now).score;
    expect([at(23), at(25), at(24 * 8), at(24 * 40)]).toEqual([10 + 15 + 20, 10 + 12, 10 + 6, 10]);
  });

  it("is 0 for someone who opted out or blocked us, and says why", () => {
    const keen = { ...nobody, fromAd: true, hasClickId: true, inboundCount: 9, lastInboundAt: ago(1), conversions: 1, conversionValue: 10 };
    expect(lifecycleScore({ ...keen, optedOut: true }, now)).toEqual({
      score: 0,
      parts: [{ part: "opted_out", points: 0, why: "They opted out of messages" }],
    });
    expect(lifecycleScore({ ...keen, blocked: true }, now).parts[0]!.why).toBe("They blocked the business");
  });

  it("never goes past 100 nor below 0, whatever the counts", () => {
    const r = lifecycleScore(
      { ...nobody, fromAd: true, hasClickId: true, inboundCount: 1e9, lastInboundAt: ago(0), conversions: 1e6, conversionValue: 1e12 },
      now,
    );
    expect(r.score).toBe(100);
    expect(lifecycleScore({ ...nobody, inboundCount: -5 }, now).score).toBe(0);
    // a last message stamped a little ahead of our clock counts as just now
    expect(lifecycleScore({ ...nobody, lastInboundAt: new Date(now.getTime() + 60_000) }, now).score).toBe(15 + 20);
  });
});
