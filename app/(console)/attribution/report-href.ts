// The attribution report's URL, for the page (server) and its filter form (client): a function exported by
// a "use client" module cannot be called on the server.
export type ReportFilterValues = { from: string; to: string; campaign?: string; ad?: string };

/** The report's URL: the range (whole UTC days) and the campaign / ad it is narrowed to. */
export function reportHref(v: ReportFilterValues): string {
  const p = new URLSearchParams({ from: v.from, to: v.to });
  if (v.campaign) p.set("campaign", v.campaign);
  if (v.ad) p.set("ad", v.ad);
  return `/attribution?${p}`;
}
