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
        <CardDescription>{SCORE_SUMMARY}</CardDescription>
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
      </CardContent>
    </Card>
  );
}
