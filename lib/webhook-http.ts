// Reading a webhook request: the raw bytes (signatures cover them exactly), capped at 1 MiB. The body is
// streamed and reading stops at the first byte past the cap, so a chunked or lying sender can make us hold
// at most 1 MiB + one chunk, never the whole body. Two readers with the same rules: a Web Request (route
// handlers) and a node:http request (the self-hosted server's fast path, lib/webhook-server.ts).
import type { IncomingMessage } from "node:http";
import { errorBody } from "./errors";
import { MAX_JSON_BYTES } from "./http";

/** 413: over the cap; 400: the client went away mid-body (nothing complete to verify or store). */
export type RawBody = { ok: true; bytes: Buffer } | { ok: false; status: 413 | 400 };

/** The answer (status and JSON body) to a body that was not read whole, the same for every webhook route. */
export function unreadBodyAnswer(status: 413 | 400): { status: 413 | 400; body: unknown } {
  return status === 413
    ? { status, body: errorBody("payload_too_large", "The body is larger than 1 MiB") }
    : { status, body: errorBody("bad_request", "The request body was not received completely") };
}

/** unreadBodyAnswer as a Response. */
export function unreadBodyResponse(status: 413 | 400): Response {
  const answer = unreadBodyAnswer(status);
  return Response.json(answer.body, { status: answer.status });
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

/**
 * readRawBody for a node:http request. On a 413 the request is paused (nothing more is read); the caller
 * answers with `Connection: close`.
 */
export function readNodeBody(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<RawBody> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) return Promise.resolve({ ok: false, status: 413 });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (result: RawBody) => {
      req.off("data", onData).off("end", onEnd).off("error", onAbort).off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        req.pause();
        return finish({ ok: false, status: 413 });
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) });
    const onAbort = () => finish({ ok: false, status: 400 });
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on("data", onData).on("end", onEnd).on("error", onAbort).on("close", onClose);
  });
}
