// The Zernio SDK's error envelope: flat `{ error: "<message>", code, details? }`. The SDK's parseApiError
// takes `body.error` as the message, so our nested `{ error: { code, message } }` reads as "[object Object]"
// there. The statuses are the ones /api/v1 answers: AppError's one code → status map, 422 for a ZodError.
import { describeError, issuesMessage } from "@/lib/errors";

export type ZernioErrorBody = { error: string; code: string; details?: unknown };

export function zernioErrorBody(code: string, message: string, details?: unknown): ZernioErrorBody {
  return details === undefined ? { error: message, code } : { error: message, code, details };
}

export function zernioError(status: number, code: string, message: string, details?: unknown, headers?: Record<string, string>): Response {
  return Response.json(zernioErrorBody(code, message, details), { status, headers });
}

/** Any thrown value as the flat error, with /api/v1's statuses and codes (the SDK shows only the message, so a validation error names each field). */
export function toZernioErrorResponse(e: unknown): Response {
  const { status, code, message, details } = describeError(e, "in the Zernio API ", issuesMessage);
  return zernioError(status, code, message, details);
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/** withApiErrors for /api/zernio: the same statuses and codes, in the Zernio SDK's flat shape. */
export function withZernioErrors<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      return await handler(req, ctx);
    } catch (e) {
      // Next's redirect()/notFound() interrupts must keep propagating
      if (e instanceof Error && typeof (e as { digest?: unknown }).digest === "string") throw e;
      return toZernioErrorResponse(e);
    }
  };
}

/** The Zernio SDK calls Clicktrail answers (paths relative to the SDK's base URL). */
export const ZERNIO_CALLS = [
  "POST /v1/whatsapp/conversions (sendWhatsAppConversion)",
  "GET /v1/whatsapp/conversions (listWhatsAppConversions)",
  "GET /v1/whatsapp/dataset (getWhatsAppDataset)",
  "POST /v1/whatsapp/dataset (createWhatsAppDataset)",
];

/** 404 for any other path under /api/zernio, naming what is there. */
export function zernioRouteNotFound(req: Request): Response {
  const { pathname } = new URL(req.url);
  return zernioError(404, "not_found", `${req.method} ${pathname} is not a Zernio API call Clicktrail answers. Supported: ${ZERNIO_CALLS.join(", ")}`);
}

/** 405 handlers for the methods a Zernio path does not have (with `Allow`). */
export function methodNotAllowed(allowed: string[]) {
  const handler = async (req: Request) =>
    zernioError(405, "method_not_allowed", `${req.method} is not allowed on ${new URL(req.url).pathname}; use ${allowed.join(" or ")}`, undefined, {
      Allow: allowed.join(", "),
    });
  return { PUT: handler, PATCH: handler, DELETE: handler };
}
