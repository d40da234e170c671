"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DayPoint } from "@/lib/subscribers/attribution";

const SERIES = [
  { key: "ad", label: "Ad clicks", color: "var(--color-primary)" },
  { key: "post", label: "Posts", color: "var(--color-chart-2, #6366f1)" },
  { key: "other", label: "Other referrals", color: "var(--color-chart-3, #f59e0b)" },
  { key: "organic", label: "Organic", color: "var(--color-muted-foreground)" },
] as const;

/** Conversations started per day, stacked by source. */
export function DailyChart({ data }: { data: DayPoint[] }) {
  return (
    <div className="h-64 w-full" role="img" aria-label="Conversations started per day, by source">
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} strokeOpacity={0.3} />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} fontSize={12} tickLine={false} axisLine={false} minTickGap={16} />
          <YAxis allowDecimals={false} fontSize={12} tickLine={false} axisLine={false} />
          <Tooltip cursor={{ fillOpacity: 0.1 }} contentStyle={{ fontSize: 12, borderRadius: 8 }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {SERIES.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="source" fill={s.color} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
