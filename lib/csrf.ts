// Cross-site request forgery guard for cookie-authenticated /api/v1 writes (requireApiPrincipal's
// session branch; bearer API keys never reach it). A write (POST/PATCH/PUT/DELETE…) must come from
// the console itself: Origin equal to APP_URL's origin, or the browser's Sec-Fetch-Site: same-origin;
// and it must declare a JSON body, which an HTML form cannot send without a CORS preflight.
import { AppError } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isJsonContentType(value: string | null): boolean {
  const type = value?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

export function isSameOriginRequest(headers: { get(name: string): string | null }, appUrl: string): boolean {
  const origin = headers.get("origin");
  if (origin && origin !== "null") {
    try {
      if (new URL(origin).origin === new URL(appUrl).origin) return true;
    } catch {
      // an unparsable Origin is not ours
    }
  }
  return headers.get("sec-fetch-site") === "same-origin";
}

export const isWriteMethod = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/** Throws 403 for a cookie-authenticated write that is cross-origin or not JSON (APP_URL read only for writes). */
export function requireSameOriginWrite(req: Request, { appUrl }: { appUrl: () => string }): void {
  if (!isWriteMethod(req.method)) return;
  if (!isSameOriginRequest(req.headers, appUrl())) {
    throw new AppError(
      "forbidden",
      "Cross-origin requests cannot use the console session: send `Authorization: Bearer <API key>`",
      undefined,
      "cross_origin_request",
    );
  }
  if (!isJsonContentType(req.headers.get("content-type"))) {
    throw new AppError("forbidden", "Console-session writes must send `Content-Type: application/json`", undefined, "json_required");
  }
}
