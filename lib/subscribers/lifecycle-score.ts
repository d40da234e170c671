// The lifecycle score (seed 000's `lifecycleScore`, 0–100): how promising a subscriber is, from what we know of
// them, with every point explained. Five parts add up to at most 100:
//   ad       20  they came from a Click-to-WhatsApp ad with a click id (10 from an ad without one)
//   replies  20  how much they wrote: 5 points for the first message, up to 20 (5 × log2(1 + messages))
//   window   15  their 24-hour window is open now (they wrote within the last day)
//   value    25  15 for any conversion, 10 more when one carried a value (a purchase)
//   recency  20  their last message: within a day 20, a week 12, a month 6, older 0
// Someone who opted out or blocked us scores 0, whatever else is true: nobody should chase them.
// Framework-free and pure: it is computed wherever a subscriber's facts change, and stored with them.

export type ScoreFacts = {
  fromAd: boolean;
  hasClickId: boolean;
  inboundCount: number;
  lastInboundAt: Date | null;
  conversions: number;
  conversionValue: number;
  optedOut: boolean;
  blocked: boolean;
};

/** A subscriber row's score facts, as the database's lifecycle_score_of reads them (the trigger on subscribers). */
export function scoreFactsOf(row: {
  firstTouchSource: string | null;
  hasClickId: boolean;
  inboundCount: number;
  lastInboundAt: Date | null;
  conversionsCount: number;
  conversionsValue: string | number;
  status: string;
}): ScoreFacts {
  return {
    fromAd: row.firstTouchSource !== null,
    hasClickId: row.hasClickId,
    inboundCount: row.inboundCount,
    lastInboundAt: row.lastInboundAt,
    conversions: row.conversionsCount,
    conversionValue: Number(row.conversionsValue),
    optedOut: row.status === "opted_out",
    blocked: row.status === "blocked",
  };
}

/**
 * The list's score bands, in words with their numbers: hot 60 and up, warm 30–59, cold below 30 (and a subscriber
 * whose score is not known yet counts as 0). `below` is exclusive; a band without `atLeast` takes the unknown too.
 */
export const SCORE_BANDS = {
  hot: { label: "Hot", range: "60–100", atLeast: 60, below: undefined },
  warm: { label: "Warm", range: "30–59", atLeast: 30, below: 60 },
  cold: { label: "Cold", range: "0–29", atLeast: undefined, below: 30 },
} as const satisfies Record<string, { label: string; range: string; atLeast?: number; below?: number }>;
export type ScoreBand = keyof typeof SCORE_BANDS;
export const SCORE_BAND_NAMES = Object.keys(SCORE_BANDS) as ScoreBand[];

/** How the score works, in one line for the console (docs/lifecycle-score.md has the whole of it). */
export const SCORE_SUMMARY =
  "0–100 from what we know: an ad click 20 (10 without a click id), replies up to 20, an open 24-hour window 15, a conversion 15 (+10 with a value), and how recently they wrote (a day 20, a week 12, a month 6). 0 once they opt out or block you. Hot is 60 and up, warm 30–59, cold below 30. It updates as messages and conversions arrive, and fades as time passes.";

/** The band a stored score falls in (null: not known yet, cold). */
export function scoreBandOf(score: number | null): ScoreBand {
  const s = score ?? 0;
  return s >= SCORE_BANDS.hot.atLeast ? "hot" : s >= SCORE_BANDS.warm.atLeast ? "warm" : "cold";
}

export type ScorePart = { part: "ad" | "replies" | "window" | "value" | "recency" | "opted_out"; points: number; why: string };
export type LifecycleScore = { score: number; parts: ScorePart[] };

const DAY = 86_400_000;

/** The score and why: each part with its points and a sentence a manager can read. */
export function lifecycleScore(f: ScoreFacts, now: Date): LifecycleScore {
  if (f.optedOut || f.blocked) {
    return { score: 0, parts: [{ part: "opted_out", points: 0, why: f.blocked ? "They blocked the business" : "They opted out of messages" }] };
  }
  const parts: ScorePart[] = [];
  if (f.fromAd)
    parts.push(
      f.hasClickId ? { part: "ad", points: 20, why: "Came from an ad, with a click id" } : { part: "ad", points: 10, why: "Came from an ad or a boosted post" },
    );
  const inbound = Math.max(0, Math.floor(f.inboundCount));
  if (inbound > 0) {
    const points = Math.min(20, Math.round(5 * Math.log2(1 + inbound)));
    parts.push({ part: "replies", points, why: `Wrote ${inbound} message${inbound === 1 ? "" : "s"}` });
  }
  // a provider's clock a little ahead of ours puts the last message in the future: it is "just now"
  const since = f.lastInboundAt ? Math.max(0, now.getTime() - f.lastInboundAt.getTime()) : Infinity;
  if (since < DAY) parts.push({ part: "window", points: 15, why: "Their 24-hour window is open" });
  if (f.conversions > 0) {
    parts.push({ part: "value", points: 15, why: `${f.conversions} conversion${f.conversions === 1 ? "" : "s"}` });
    if (f.conversionValue > 0) parts.push({ part: "value", points: 10, why: "A conversion with a value" });
  }
  const recency = since < DAY ? 20 : since < 7 * DAY ? 12 : since < 30 * DAY ? 6 : 0;
  if (recency > 0) {
    const when = since < DAY ? "the last day" : since < 7 * DAY ? "the last week" : "the last month";
    parts.push({ part: "recency", points: recency, why: `Last wrote within ${when}` });
  }
  const score = Math.min(
    100,
    parts.reduce((sum, p) => sum + p.points, 0),
  );
  return { score, parts };
}
