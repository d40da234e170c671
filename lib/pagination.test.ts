import { describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { decodeCursor, encodeCursor, pageParamsSchema, toPage } from "./pagination";

describe("keyset cursors", () => {
  it("round-trips timestamp and id exactly", () => {
    const c = { at: new Date("2026-03-04T05:06:07.089Z"), id: "0b7e5f0e-6a4b-4c1d-9f7e-2d3c4b5a6978" };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it("refuses a forged or broken cursor with bad_request", () => {
    for (const raw of ["nope", Buffer.from('{"t":"x","id":"y"}').toString("base64url")]) {
      expect(() => decodeCursor(raw)).toThrow(AppError);
    }
  });

  it("trims the extra row and points the cursor at the last row kept", () => {
    const rows = [1, 2, 3].map((n) => ({ n, at: new Date(n * 1000), id: `00000000-0000-4000-8000-00000000000${n}` }));
    const page = toPage(rows, 2, (r) => ({ at: r.at, id: r.id }));
    expect(page.rows.map((r) => r.n)).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor!).id).toBe(rows[1]!.id);
    expect(toPage(rows, 3, (r) => ({ at: r.at, id: r.id })).nextCursor).toBeNull();
  });

  it("bounds the page size", () => {
    expect(pageParamsSchema.parse({}).limit).toBe(50);
    expect(pageParamsSchema.safeParse({ limit: "500" }).success).toBe(false);
  });
});
