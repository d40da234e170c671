// UTM tags from a referral's source_url. Meta sends short links (fb.me/…), full ad URLs, and in old
// examples placeholders such as "AD_OR_POST_FB_URL": anything that is not a URL simply has no tags.

export type UtmTags = {
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
  utmTerm: string | null;
};

const KEYS = { utm_source: "utmSource", utm_medium: "utmMedium", utm_campaign: "utmCampaign", utm_content: "utmContent", utm_term: "utmTerm" } as const;
const MAX_LENGTH = 500;

export const NO_UTM: UtmTags = Object.freeze({ utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null, utmTerm: null });

function toUrl(raw: string): URL | null {
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(raw);
  for (const candidate of hasScheme ? [raw] : [`https://${raw}`]) {
    try {
      const url = new URL(candidate);
      if (url.protocol === "http:" || url.protocol === "https:") return url;
    } catch {
      // not a URL in this form; the next candidate (or the null below) decides
    }
  }
  return null;
}

function clean(value: string | null): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, MAX_LENGTH) : null;
}

/** utm_* query parameters (also after `#`, where some link builders put them); first value wins, names case-insensitive. */
export function parseUtmTags(sourceUrl: string | null | undefined): UtmTags {
  const raw = sourceUrl?.trim();
  if (!raw || /\s/.test(raw)) return NO_UTM;
  const url = toUrl(raw);
  if (!url) return NO_UTM;
  const tags: UtmTags = { ...NO_UTM };
  const hashQuery = url.hash.includes("=") ? url.hash.slice(1).replace(/^[^?]*\?/, "") : "";
  for (const params of [url.searchParams, new URLSearchParams(hashQuery)]) {
    for (const [name, value] of params) {
      const key = KEYS[name.toLowerCase() as keyof typeof KEYS];
      if (key && tags[key] === null) tags[key] = clean(value);
    }
  }
  return tags;
}
