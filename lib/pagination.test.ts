import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "./errors";
import { decodeCursor, encodeCursor, loadPageOrFirst, pageParamsSchema, readCursor, toPage, writeCursor } from "./pagination";
import { MAX_TIME_MS } from "./query-params";

describe("keyset cursors", () => {
  it("round-trips timestamp and id exactly", () => {
    const c = { at: new Date("2026-03-04T05:06:07.089Z"), id: "0b7e5f0e-6a4b-4c1d-9f7e-2d3c4b5a6978" };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it("refuses a forged or broken cursor with 422 invalid_cursor", () => {
    const id = "0b7e5f0e-6a4b-4c1d-9f7e-2d3c4b5a6978";
    const forged = [
      "nope",
      "a+b/c=",
      "A".repeat(600),
      writeCursor({ t: "x", id: "y" }),
      writeCursor({ t: -1, id }), // before 1970
      writeCursor({ t: MAX_TIME_MS + 1, id }), // year 10000: Postgres cannot read its ISO form
      writeCursor({ t: 8.64e15 + 1, id }), // not a Date at all
      writeCursor({ t: 0, id: "0b7e5f0e" }),
    ];
    for (const raw of forged) {
      const error = (() => {
        try {
          return decodeCursor(raw);
        } catch (e) {
          return e;
        }
      })();
      expect(error, raw).toBeInstanceOf(AppError);
      expect(error, raw).toMatchObject({ status: 422, publicCode: "invalid_cursor" });
    }
  });

  it("accepts the first and the last instant there is", () => {
    const id = "0b7e5f0e-6a4b-4c1d-9f7e-2d3c4b5a6978";
    for (const t of [0, MAX_TIME_MS]) expect(decodeCursor(writeCursor({ t, id }))).toEqual({ at: new Date(t), id });
  });

  it("reads a list's own cursor shape strictly", () => {
    const schema = z.object({ r: z.number().int().min(1) });
    expect(readCursor(writeCursor({ r: 3 }), schema)).toEqual({ r: 3 });
    expect(() => readCursor(writeCursor({ r: 0 }), schema)).toThrow(AppError);
  });

  it("shows a console list's first page for a bad cursor, and says so", async () => {
    const load = async (cursor?: string) => (cursor ? decodeCursor(cursor).id : "first");
    expect(await loadPageOrFirst("nope", load)).toEqual({ page: "first", cursorError: expect.stringContaining("first page") });
    expect(await loadPageOrFirst(undefined, load)).toEqual({ page: "first", cursor: undefined });
    await expect(loadPageOrFirst("x", async () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
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
