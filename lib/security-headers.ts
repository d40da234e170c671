// Response headers that keep the console's pages from being framed, sniffed or scripted by others.
// Pages get a per-request nonce CSP from proxy.ts (Next.js applies the nonce to its own scripts when
// the request carries the policy); every response gets the static headers from next.config.ts.

/** Headers for every response (next.config.ts headers()). */
export const STATIC_SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
] as const;

/** For API responses (JSON, never rendered as a document): nothing may load, nobody may frame. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * The pages' policy. Scripts: only those carrying this request's nonce, and what they load
 * ('strict-dynamic'); React needs eval in development only. Styles allow inline attributes (Radix,
 * sonner and recharts position elements with style="…"). Images: ad creatives come from Meta's CDNs.
 */
export function pageContentSecurityPolicy({ nonce, dev }: { nonce: string; dev: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data: https:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
