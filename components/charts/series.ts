// The chart's data shapes and the source series, in a module without "use client": a server page imports them as
// values (from a client module it would get references, and SOURCE_SERIES.ad would be undefined on the server).
export type ChartSeries = { key: string; label: string; color: string };
export type DailyPoint = { day: string } & Record<string, number | string>;

/** Where a conversation came from, in the same words and colours on every chart. */
export const SOURCE_SERIES = {
  ad: { key: "ad", label: "Ad clicks", color: "var(--chart-ad)" },
  post: { key: "post", label: "Posts", color: "var(--chart-post)" },
  other: { key: "other", label: "Other referrals", color: "var(--chart-other)" },
  organic: { key: "organic", label: "Organic", color: "var(--chart-organic)" },
} satisfies Record<string, ChartSeries>;
