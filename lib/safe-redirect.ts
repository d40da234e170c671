// Where to send the browser after sign-in: only a path on this app's own origin. A callbackUrl is
// accepted when it starts with exactly one "/" (not "//" nor "/\", which browsers read as another
// host) and, resolved against the app origin, still names that origin; anything else → the fallback.
export const DEFAULT_AFTER_SIGN_IN = "/dashboard";

export function safeCallbackPath(raw: unknown, appOrigin: string, fallback = DEFAULT_AFTER_SIGN_IN): string {
  if (typeof raw !== "string" || raw.length > 2048) return fallback;
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return fallback;
  // the URL parser drops tabs and newlines and reads "\" as "/": "/\t/evil" would become "//evil"
  if ([...raw].some((c) => c === "\\" || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return fallback;
  let origin: string;
  let resolved: URL;
  try {
    origin = new URL(appOrigin).origin;
    resolved = new URL(raw, origin);
  } catch {
    return fallback;
  }
  if (resolved.origin !== origin) return fallback;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  return path.startsWith("//") ? fallback : path;
}
