// Reading a webhook request: the raw bytes (signatures cover them exactly), capped at 1 MiB. The body is
// streamed and reading stops at the first byte past the cap, so a chunked or lying sender can make us hold
// at most 1 MiB + one chunk, never the whole body.
import { MAX_JSON_BYTES, jsonError } from "./http";

/** 413: over the cap; 400: the client went away mid-body (nothing complete to verify or store). */
export type RawBody = { ok: true; bytes: Buffer } | { ok: false; status: 413 | 400 };

/** The answer to a body that was not read whole (same for every webhook route). */
export function unreadBodyResponse(status: 413 | 400): Response {
  return status === 413
    ? jsonError(413, "payload_too_large", "The body is larger than 1 MiB")
    : jsonError(400, "bad_request", "The request body was not received completely");
}

export async function readRawBody(req: Request, limit = MAX_JSON_BYTES): Promise<RawBody> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) {
    void req.body?.cancel().catch(() => {});
    return { ok: false, status: 413 };
  }
  if (!req.body) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch {
      return { ok: false, status: 400 };
    }
    const { done, value } = next;
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // stop reading: the rest of the body is never pulled (the connection is closed with the 413)
      void reader.cancel().catch(() => {});
      return { ok: false, status: 413 };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks, total) };
}
