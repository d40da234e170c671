// A segment in words for the audience list and page: "Customers · from an ad · window open", or everyone reachable.
import { SCORE_BANDS } from "@/lib/subscribers/lifecycle-score";
import { LIFECYCLE_LABELS, SOURCE_LABELS } from "../../subscribers/subscriber-badges";
import type { SegmentOptions } from "./view";

export const EVERYONE = "Everyone reachable (all subscribers except opted-out and blocked)";

const SOURCE_WORDS: Record<string, string> = { ad: "came from an ad", post: "came from a post", organic: "wrote on their own (no ad or post)" };

const label = (options: { value: string; label: string }[], value: string) => options.find((o) => o.value === value)?.label ?? value;

/** The set filters in reading order; an unknown filter is shown as it is stored. */
export function describeSegment(segment: Record<string, string>, options: SegmentOptions): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(segment)) {
    switch (key) {
      case "lifecycle":
        parts.push(`${LIFECYCLE_LABELS[value] ?? value} stage`);
        break;
      case "score": {
        const band = SCORE_BANDS[value as keyof typeof SCORE_BANDS];
        parts.push(band ? `${band.label.toLowerCase()} score (${band.range})` : `score ${value}`);
        break;
      }
      case "source":
        parts.push(SOURCE_WORDS[value] ?? `source ${SOURCE_LABELS[value] ?? value}`);
        break;
      case "status":
        parts.push(`status ${value}`);
        break;
      case "number":
        parts.push(`wrote to ${label(options.numbers, value)}`);
        break;
      case "campaign":
        parts.push(`campaign ${label(options.campaigns, value)}`);
        break;
      case "ad":
        parts.push(`ad ${label(options.ads, value)}`);
        break;
      case "clickId":
        parts.push(value === "yes" ? "with an ad click id" : "without an ad click id");
        break;
      case "window":
        parts.push(value === "open" ? "24 h window open" : "24 h window closed");
        break;
      case "from":
        parts.push(`first seen from ${value}`);
        break;
      case "to":
        parts.push(`first seen through ${value}`);
        break;
      default:
        parts.push(`${key} ${value}`);
    }
  }
  if (parts.length === 0) return EVERYONE;
  const text = parts.join(" · ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
