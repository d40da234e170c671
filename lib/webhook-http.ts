// Reading a webhook request: the raw bytes (signatures cover them exactly), capped at 1 MiB. The body is
// streamed and reading stops at the first byte past the cap, so a chunked or lying sender can make us hold
// at most 1 MiB + one chunk, never the whole body.
import { MAX_JSON_BYTES } from "./http";

export type RawBody = { ok: true; bytes: Buffer } | { ok: false; status: 413 };

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
    const { done, value } = await reader.read();
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
