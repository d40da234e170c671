import { describe, expect, it } from "vitest";
import { readRawBody } from "./webhook-http";

const request = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://test.local/hook", { method: "POST", body, headers, duplex: "half" } as RequestInit);

function counting(chunkBytes: number, chunks = Infinity) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= chunks * chunkBytes) return controller.close();
      state.pulled += chunkBytes;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x7b));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe("readRawBody", () => {
  it("returns the exact bytes of a body within the cap", async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0xff, 0x7d]);
    const read = await readRawBody(request(new Uint8Array(bytes)));
    expect(read.ok && read.bytes.equals(bytes)).toBe(true);
  });

  it("stops reading an endless stream right after the cap and cancels it", async () => {
    const { stream, state } = counting(16 * 1024);
    expect(await readRawBody(request(stream), 64 * 1024)).toEqual({ ok: false, status: 413 });
    expect(state.pulled).toBeLessThanOrEqual(64 * 1024 + 4 * 16 * 1024);
    await new Promise((r) => setTimeout(r, 10));
    expect(state.cancelled).toBe(true);
  });

  it("refuses a declared length over the cap before reading", async () => {
    const { stream, state } = counting(1024);
    expect(await readRawBody(request(stream, { "content-length": String(10 * 1024 * 1024) }), 64 * 1024)).toEqual({ ok: false, status: 413 });
    expect(state.pulled).toBeLessThanOrEqual(4 * 1024);
  });

  it("takes a body of exactly the cap", async () => {
    const { stream } = counting(1024, 64);
    const read = await readRawBody(request(stream), 64 * 1024);
    expect(read.ok && read.bytes.byteLength).toBe(64 * 1024);
  });
});

describe("readRawBody on a broken stream", () => {
  it("answers 400 when the client goes away mid-body", async () => {
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("socket hang up"));
        sent = true;
        controller.enqueue(new Uint8Array([0x7b]));
      },
    });
    expect(await readRawBody(request(broken))).toEqual({ ok: false, status: 400 });
  });
});
