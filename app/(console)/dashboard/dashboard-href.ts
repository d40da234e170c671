// The dashboard's URL, for the page (server) and its period picker (client).
export type DashboardHrefValues = { days?: number; from?: string; to?: string };

/** A preset period (`days`) or a custom one (`from`–`to`); 30 days, the default, needs no parameter. */
export function dashboardHref(v: DashboardHrefValues): string {
  const p = new URLSearchParams();
  if (v.from) {
    p.set("from", v.from);
    if (v.to) p.set("to", v.to);
  } else if (v.days && v.days !== 30) p.set("days", String(v.days));
  return p.size > 0 ? `/dashboard?${p}` : "/dashboard";
}
