// Reading a webhook request: the raw bytes (signatures cover them exactly), capped at 1 MiB.
import { MAX_JSON_BYTES } from "./http";

export type RawBody = { ok: true; text: string } | { ok: false; status: 413 };

export async function readRawBody(req: Request): Promise<RawBody> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BYTES) return { ok: false, status: 413 };
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_JSON_BYTES) return { ok: false, status: 413 };
  return { ok: true, text: new TextDecoder("utf-8").decode(bytes) };
}
