import { ExternalLink, Megaphone, PlayCircle } from "lucide-react";
import { CopyButton } from "@/components/console/copy-button";
import { Facts } from "@/components/console/facts";
import { DateTime } from "@/components/console/formatted";
import { Badge } from "@/components/ui/badge";
import type { ConversationRow } from "@/db/queries/conversations";

const CONVERSIONS_WINDOW_MS = 7 * 24 * 60 * 60 * 1000; // Meta attributes conversions up to 7 days after the click

/** The ad creative as the person saw it: the image, or the video's thumbnail (linking to the video). */
function MediaPreview({ c }: { c: ConversationRow }) {
  const still = c.imageUrl ?? c.thumbnailUrl;
  if (!still) return null;
  const img = (
    // eslint-disable-next-line @next/next/no-img-element -- Meta's CDN URLs, shown as sent (no optimisation proxy)
    <img
      src={still}
      alt={c.headline ? `Ad creative: ${c.headline}` : "Ad creative"}
      referrerPolicy="no-referrer"
      loading="lazy"
      className="aspect-square w-28 rounded-md border object-cover"
    />
  );
  return c.videoUrl ? (
    <a href={c.videoUrl} target="_blank" rel="noreferrer" className="relative block w-28" title="Play the ad video">
      {img}
      <PlayCircle className="absolute inset-0 m-auto size-8 text-white drop-shadow" aria-hidden />
    </a>
  ) : (
    img
  );
}

function windowLeft(startedAt: Date, now: number): string {
  const left = startedAt.getTime() + CONVERSIONS_WINDOW_MS - now;
  if (left <= 0) return "closed (more than 7 days since the click)";
  const days = Math.floor(left / 86_400_000);
  const hours = Math.floor((left % 86_400_000) / 3_600_000);
  return `${days > 0 ? `${days} d ` : ""}${hours} h left`;
}

/** One ad-referral conversation: creative, ids, click id (copy), UTM tags, campaign names, conversions window. */
export function ReferralCard({ c, labels, now }: { c: ConversationRow; labels: string[]; now: number }) {
  const utm = (["utmSource", "utmMedium", "utmCampaign", "utmContent", "utmTerm"] as const)
    .filter((k) => c[k])
    .map((k) => `${k.slice(3).toLowerCase()}=${c[k]}`);
  return (
    <article className="grid gap-4 rounded-lg border p-4" data-testid="referral">
      <div className="flex flex-wrap items-center gap-2">
        <Megaphone className="size-4 text-muted-foreground" aria-hidden />
        <h3 className="font-medium">{c.headline ?? "Referral without a headline"}</h3>
        {labels.map((l) => (
          <Badge key={l} variant="secondary">
            {l}
          </Badge>
        ))}
      </div>
      <div className="flex flex-wrap gap-4">
        <MediaPreview c={c} />
        <div className="min-w-0 flex-1 basis-64">
          {c.body ? <p className="mb-3 text-sm whitespace-pre-line">{c.body}</p> : null}
          <Facts
            rows={[
              ["Clicked", <DateTime key="clicked" value={c.startedAt} />],
              ["Source", c.sourceType ? `${c.sourceType}${c.mediaType ? ` · ${c.mediaType}` : ""}` : null],
              [
                "Source URL",
                c.sourceUrl ? (
                  <a href={c.sourceUrl} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 break-all hover:underline">
                    {c.sourceUrl}
                    <ExternalLink className="size-3 shrink-0" aria-hidden />
                  </a>
                ) : null,
              ],
              ["Ad id", c.adId ?? (c.sourceId ? <span className="text-muted-foreground">{c.sourceId} (not an ad)</span> : null)],
              [
                "Click id",
                c.ctwaClid ? (
                  <span className="flex items-center gap-2">
                    <code className="truncate text-xs" data-testid="click-id" title={c.ctwaClid}>
                      {c.ctwaClid}
                    </code>
                    <CopyButton value={c.ctwaClid} label="Copy click id" />
                  </span>
                ) : (
                  <span className="text-muted-foreground">none (conversions cannot be attributed to this click)</span>
                ),
              ],
              ["UTM", utm.length > 0 ? utm.join(" · ") : null],
              ["Campaign", c.campaignName ?? c.campaignId],
              ["Ad set", c.adsetName ?? c.adsetId],
              ["Ad", c.adName],
              ["Creative", c.creativeName ?? c.creativeId],
              ...(c.enrichmentError
                ? ([
                    [
                      "Ad details",
                      <span key="e" className="text-destructive">
                        {c.enrichmentError}
                      </span>,
                    ],
                  ] as [string, React.ReactNode][])
                : []),
              ["Conversions window", c.ctwaClid ? windowLeft(c.startedAt, now) : null],
            ]}
          />
        </div>
      </div>
    </article>
  );
}
