import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

type Day = { day: string; ad: number; organic: number };

const dayLabel = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString("en", { day: "numeric", month: "short", timeZone: "UTC" });

/** Stacked bars of conversations per day (ad vs organic); the numbers are also in a hidden table. */
export function ConversationsChart({ series }: { series: Day[] }) {
  const max = Math.max(1, ...series.map((d) => d.ad + d.organic));
  const total = series.reduce((n, d) => n + d.ad + d.organic, 0);
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Conversations per day</h2>
        </CardTitle>
        <CardDescription>Last 14 days (UTC), by source.</CardDescription>
      </CardHeader>
      <CardContent>
        {total === 0 ? (
          <p className="py-8 text-center text-sm text-muted-foreground">No conversations in the last 14 days yet.</p>
        ) : (
          <div aria-hidden className="flex h-40 items-end gap-1.5">
            {series.map((d) => (
              <div key={d.day} className="flex h-full flex-1 flex-col justify-end" title={`${dayLabel(d.day)}: ${d.ad} from ads, ${d.organic} organic`}>
                <div className="rounded-t-sm bg-primary" style={{ height: `${(d.ad / max) * 100}%` }} />
                <div className="bg-primary/25" style={{ height: `${(d.organic / max) * 100}%` }} />
              </div>
            ))}
          </div>
        )}
        <div aria-hidden className="mt-2 flex justify-between text-xs text-muted-foreground">
          <span>{series[0] ? dayLabel(series[0].day) : ""}</span>
          <span className="flex gap-4">
            <span className="flex items-center gap-1.5">
              <span className="size-2.5 rounded-sm bg-primary" />
              From ads
            </span>
            <span className="flex items-center gap-1.5">
              <span className="size-2.5 rounded-sm bg-primary/25" />
              Organic and posts
            </span>
          </span>
          <span>{series.at(-1) ? dayLabel(series.at(-1)!.day) : ""}</span>
        </div>
        <table className="sr-only">
          <caption>Conversations per day</caption>
          <thead>
            <tr>
              <th>Day</th>
              <th>From ads</th>
              <th>Organic and posts</th>
            </tr>
          </thead>
          <tbody>
            {series.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.ad}</td>
                <td>{d.organic}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </CardContent>
    </Card>
  );
}
