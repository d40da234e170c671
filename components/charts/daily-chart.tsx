"use client";

// The console's one chart: a value per UTC day, stacked by series, with axes, a tooltip and a legend. The
// dashboard and the attribution report both draw with it, in the palette of app/globals.css (--chart-*).
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatDay } from "@/components/console/format";
import { FormattedDay, useFormatContext } from "@/components/console/formatted";

import type { ChartSeries, DailyPoint } from "./series";

const dayOf = (day: string) => new Date(`${day}T00:00:00Z`);

/** Stacked bars per day; every value is also in a visually hidden table for screen readers. */
export function DailyChart({ data, series, label, height = 256 }: { data: DailyPoint[]; series: ChartSeries[]; label: string; height?: number }) {
  // the days are UTC days: named in the reader's language, never shifted into their time zone
  const { locale } = useFormatContext();
  const shortDay = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
  return (
    <figure className="grid gap-2">
      <div className="w-full min-w-0" style={{ height }} aria-hidden>
        <ResponsiveContainer width="100%" height="100%" minWidth={0}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barCategoryGap="20%" accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
            <XAxis
              dataKey="day"
              tickFormatter={(d: string) => shortDay.format(dayOf(d))}
              tick={{ fontSize: 12, fill: "var(--chart-axis)" }}
              tickLine={false}
              axisLine={{ stroke: "var(--chart-grid)" }}
              minTickGap={24}
            />
            <YAxis allowDecimals={false} width={40} tick={{ fontSize: 12, fill: "var(--chart-axis)" }} tickLine={false} axisLine={false} />
            <Tooltip
              cursor={{ fill: "var(--muted)", opacity: 0.6 }}
              labelFormatter={(d) => formatDay(String(d), "", locale)}
              formatter={(value) => formatCount(Number(value), "0", locale)}
              contentStyle={{ fontSize: 12, borderRadius: 8, borderColor: "var(--border)" }}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} iconType="square" iconSize={10} />
            {series.map((s, i) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} stackId="stack" fill={s.color} radius={i === series.length - 1 ? [3, 3, 0, 0] : 0} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      {/* a table ignores sr-only's 1 px width: its wrapper takes it, so the page never grows wider */}
      <div className="sr-only">
        <table>
          <caption>{label}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {series.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.day}>
                <th scope="row">
                  <FormattedDay day={d.day} />
                </th>
                {series.map((s) => (
                  <td key={s.key}>{d[s.key] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
