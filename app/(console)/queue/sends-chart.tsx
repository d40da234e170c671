"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { type FormatContext, formatCount, formatTime, STABLE } from "@/components/console/format";
import { useFormatContext } from "@/components/console/formatted";

const HOUR_MS = 3_600_000;

type HourPoint = { hour: string; label: string; sent: number };

/** One bar per hour from 24 h before `at` up to the current hour, labelled in the reader's time; hours without sends are 0. */
export function hourlyPoints(perHour: { hour: string; sent: number }[], at: string, ctx: FormatContext = STABLE): HourPoint[] {
  const sent = new Map(perHour.map((p) => [Date.parse(p.hour), p.sent]));
  const last = Math.floor(Date.parse(at) / HOUR_MS) * HOUR_MS;
  // the oldest hour is only partly inside the 24 h; it is shown when it has sends
  const first = Math.min(last - 23 * HOUR_MS, ...sent.keys());
  const points: HourPoint[] = [];
  for (let t = first; t <= last; t += HOUR_MS) {
    points.push({ hour: new Date(t).toISOString(), label: formatTime(t, ctx), sent: sent.get(t) ?? 0 });
  }
  return points;
}

/** Messages sent per hour over the last 24 hours. */
export function SendsChart({ perHour, at }: { perHour: { hour: string; sent: number }[]; at: string }) {
  const ctx = useFormatContext();
  const data = hourlyPoints(perHour, at, ctx);
  const total = data.reduce((n, p) => n + p.sent, 0);
  return (
    <figure className="grid gap-1" data-testid="sends-chart" data-total={total}>
      <figcaption className="flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">Sends per hour, last 24 h</span>
        <span className="text-xs text-muted-foreground tabular-nums">{formatCount(total, "0", ctx.locale)} sent</span>
      </figcaption>
      <div className="h-36 w-full" role="img" aria-label={`Messages sent per hour over the last 24 hours: ${total} in total`}>
        <ResponsiveContainer>
          <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -24 }}>
            <CartesianGrid vertical={false} strokeOpacity={0.3} />
            <XAxis dataKey="label" fontSize={11} tickLine={false} axisLine={false} interval="preserveStartEnd" minTickGap={24} />
            <YAxis allowDecimals={false} fontSize={11} tickLine={false} axisLine={false} width={48} />
            <Tooltip cursor={{ fillOpacity: 0.1 }} contentStyle={{ fontSize: 12, borderRadius: 8 }} formatter={(v) => [v, "Sent"]} />
            <Bar dataKey="sent" name="Sent" fill="var(--color-primary)" radius={[2, 2, 0, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
