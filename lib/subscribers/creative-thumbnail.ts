// An ad creative's picture as Meta sent it in the referral (thumbnail_url for a video, image_url for a photo).
// Meta's CDN links are signed and expire: `oe` is the expiry, unix seconds in hex. A link already past it is not
// worth a request (it answers 403, and the browser logs the failure), so the report shows its placeholder at once.

/** The creative's picture URL while it may still load: https only, and not past its `oe` expiry; null otherwise. */
export function usableThumbnail(url: string | null | undefined, now: Date): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:") return null;
  const oe = parsed.searchParams.get("oe");
  if (oe && /^[0-9a-f]{1,12}$/i.test(oe) && Number.parseInt(oe, 16) * 1000 <= now.getTime()) return null;
  return url;
}
