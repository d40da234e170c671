// The composer's "/" menu: which draft opens it and which quick replies match what follows the slash.
// Pure functions over plain data, so the ranking is unit-tested without a browser.

export type QuickReplyChoice = { id: string; shortcut: string; text: string };

/** The longest draft still read as a search ("/" plus a few words); anything longer is a message. */
const MAX_QUERY = 64;

/**
 * The search after a leading "/" in a one-line draft ("" for "/" alone), or null when the draft is not a
 * slash search (no leading slash, a second line, or too long to be one).
 */
export function slashQuery(draft: string): string | null {
  if (!draft.startsWith("/") || draft.includes("\n")) return null;
  const query = draft.slice(1);
  return query.length > MAX_QUERY ? null : query;
}

/**
 * The quick replies matching `query`, best first: the exact shortcut, shortcuts starting with it, shortcuts
 * containing it, then texts containing every word of it (case-insensitive). Ties keep the given order
 * (the API lists by shortcut). An empty query matches every reply.
 */
export function filterQuickReplies<T extends QuickReplyChoice>(replies: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (q === "") return [...replies];
  const words = q.split(/\s+/);
  const rank = (r: T): number => {
    const shortcut = r.shortcut.toLowerCase();
    if (shortcut === q) return 0;
    if (shortcut.startsWith(q)) return 1;
    if (shortcut.includes(q)) return 2;
    const text = r.text.toLowerCase();
    return words.every((w) => text.includes(w)) ? 3 : -1;
  };
  return replies
    .map((r, i) => ({ r, i, rank: rank(r) }))
    .filter((x) => x.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.r);
}

/** The option after (step 1) or before (step -1) `index`, wrapping around a list of `length`. */
export function moveActive(index: number, step: 1 | -1, length: number): number {
  if (length === 0) return 0;
  return (((index + step) % length) + length) % length;
}
