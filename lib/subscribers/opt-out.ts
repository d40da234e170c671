// Opt-out / opt-in keywords: the whole inbound text, trimmed and case-folded, must equal a keyword of the
// tenant's list ("STOP please" is a message, not an opt-out).

export const DEFAULT_OPT_OUT_KEYWORDS = ["STOP", "UNSUBSCRIBE", "СТОП", "ОТПИСАТЬСЯ"] as const;
export const DEFAULT_OPT_IN_KEYWORDS = ["START"] as const;

export type OptAction = "opt_out" | "opt_in";
export type OptKeywords = { optOut: ReadonlySet<string>; optIn: ReadonlySet<string> };

/** Trim + Unicode case fold (NFKC first, so full-width letters and the like compare equal). */
export function foldKeyword(text: string): string {
  return text.normalize("NFKC").trim().toLocaleLowerCase("und");
}

/**
 * The folded keyword sets of a tenant. A missing list falls back to the defaults; an empty list is the
 * tenant's choice (keywords switched off) and stays empty.
 */
export function toOptKeywords(lists: { optOutKeywords?: readonly string[] | null; optInKeywords?: readonly string[] | null } = {}): OptKeywords {
  const fold = (words: readonly string[]) => new Set(words.map(foldKeyword).filter((w) => w !== ""));
  return { optOut: fold(lists.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS), optIn: fold(lists.optInKeywords ?? DEFAULT_OPT_IN_KEYWORDS) };
}

/** What an inbound text asks for; a word in both lists counts as an opt-out (the safe reading). */
export function matchOptKeyword(text: string | null | undefined, keywords: OptKeywords = toOptKeywords()): OptAction | null {
  if (!text || text.length > 200) return null;
  const folded = foldKeyword(text);
  if (keywords.optOut.has(folded)) return "opt_out";
  if (keywords.optIn.has(folded)) return "opt_in";
  return null;
}
