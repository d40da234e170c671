import type { Db } from "@/db/client";
import { type DailyConversations, getDailyConversations, getDashboardCounts } from "@/db/queries/stats";

export type Dashboard = Awaited<ReturnType<typeof getDashboard>>;

/** Counts for the home dashboard plus a 14-day series (every day present, zero-filled). */
export async function getDashboard(db: Db, { tenantId, now }: { tenantId: string; now: Date }) {
  const since7 = new Date(now.getTime() - 7 * 86_400_000);
  const startOfToday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since14 = new Date(startOfToday - 13 * 86_400_000);
  const counts = await getDashboardCounts(db, { tenantId, since: since7 });
  const daily = await getDailyConversations(db, { tenantId, since: since14 });
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const series: DailyConversations[] = Array.from({ length: 14 }, (_, i) => {
    const day = new Date(since14.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    return byDay.get(day) ?? { day, ad: 0, organic: 0 };
  });
  const adShare = counts.conversations7d > 0 ? counts.adConversations7d / counts.conversations7d : null;
  return { counts, adShare, series, generatedAt: now.toISOString() };
}
