// Meta's `user_preferences` webhook: a customer can stop (and later resume) marketing messages from the business
// inside WhatsApp. Only the `marketing_messages` category is honoured; its `stop` holds every drip message back
// (pending ones are cancelled with MARKETING_STOPPED, enrolment queues nothing, the drip run sends nothing).
import type { MARKETING_PREFERENCES } from "@/db/schema";

export type MarketingPreference = (typeof MARKETING_PREFERENCES)[number];

export const MARKETING_CATEGORY = "marketing_messages";

/** The reason on drip rows cancelled (or never queued) because of a stop. */
export const MARKETING_STOPPED = { code: "marketing_stopped", message: "The customer stopped marketing messages in WhatsApp" } as const;

/**
 * The preference a `user_preferences` entry sets, or why it sets none. Other categories and values are
 * ignored: the subscriber keeps only the marketing choice, and the event stays stored (the webhook event page
 * lists its category and value), so it can be replayed if we ever honour more.
 */
export function readMarketingPreference({ category, value }: { category: string; value: string }): { preference: MarketingPreference } | { ignored: string } {
  if (category.trim().toLowerCase() !== MARKETING_CATEGORY) return { ignored: `category "${category}" is not handled` };
  const choice = value.trim().toLowerCase();
  if (choice === "stop" || choice === "resume") return { preference: choice };
  return { ignored: `value "${value}" is neither stop nor resume` };
}

type Choice = { preference: MarketingPreference; at: Date };

/**
 * Whether `next` replaces `current`: a newer choice does, an older one never. At the same instant a stop wins
 * (the safe reading), so the outcome does not depend on arrival order; a replay (same choice, same time) does not.
 * The database update (recordMarketingPreference) applies the same rule.
 */
export function supersedes(next: Choice, current: { preference: string | null; at: Date | null } | null): boolean {
  if (!current?.at) return true;
  const diff = next.at.getTime() - current.at.getTime();
  return diff > 0 || (diff === 0 && next.preference === "stop" && current.preference !== "stop");
}

export function isMarketingStopped(s: { marketingPreference: string | null } | null | undefined): boolean {
  return s?.marketingPreference === "stop";
}
