import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { SubscriberRow } from "@/db/queries/subscribers";
import { SCORE_BANDS, SCORE_SUMMARY, lifecycleScore, scoreBandOf, scoreFactsOf } from "@/lib/subscribers/lifecycle-score";
import { LifecycleScoreMeter } from "../subscriber-badges";

/** The subscriber's lifecycle score with each part's points and why, and how the score works. */
export function LifecycleScoreCard({ subscriber, now }: { subscriber: SubscriberRow; now: Date }) {
  const { score, parts } = lifecycleScore(scoreFactsOf(subscriber), now);
  const band = SCORE_BANDS[scoreBandOf(score)];
  return (
    <Card data-testid="lifecycle-score-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-3">
          Lifecycle score
          <LifecycleScoreMeter score={score} />
          <span className="text-sm font-normal text-muted-foreground">
            {band.label} ({band.range})
          </span>
        </CardTitle>
        <CardDescription>How likely they are to buy, 0–100, from what we know of them.</CardDescription>
      </CardHeader>
      <CardContent>
        {parts.length === 0 ? (
          <p className="text-sm text-muted-foreground">No points yet: no ad click, no messages and no conversions.</p>
        ) : (
          <ul className="grid gap-1.5 text-sm">
            {parts.map((p, i) => (
              <li key={`${p.part}-${i}`} className="grid grid-cols-[3rem_1fr] gap-2">
                <span className="text-right font-medium tabular-nums">{p.part === "opted_out" ? "0" : `+${p.points}`}</span>
                <span>{p.why}</span>
              </li>
            ))}
          </ul>
        )}
        <details className="group mt-3 text-xs text-muted-foreground">
          <summary className="w-fit cursor-pointer rounded-sm hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
            How the score works
          </summary>
          <p className="mt-1">{SCORE_SUMMARY}</p>
        </details>
      </CardContent>
    </Card>
  );
}
