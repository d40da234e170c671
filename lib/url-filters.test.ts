import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "./errors";
import { decodeCursor, encodeCursor } from "./pagination";
import { filterTextSchema, utcDaySchema } from "./query-params";
import { loadFilteredPage, readUrlFilters, urlCursor } from "./url-filters";

const schema = z.object({ q: filterTextSchema(20).optional(), from: utcDaySchema.optional() });
const read = (raw: Record<string, string | string[] | undefined>) => readUrlFilters(raw, ["q", "from"] as const, schema, {});
const CURSOR = encodeCursor({ at: new Date(0), id: "0b7e5f0e-6a4b-4c1d-9f7e-2d3c4b5a6978" });

describe("readUrlFilters", () => {
  it("ignores a bad value beside its field and keeps the good ones", () => {
    const r = read({ q: "a\u0000b", from: "2026-02-30" });
    expect(r.filters).toEqual({});
    expect(Object.keys(r.errors).sort()).toEqual(["from", "q"]);
    expect(read({ q: " anna ", from: "9999-12-31" }).filters).toEqual({ q: "anna", from: "9999-12-31" });
  });

  it("ignores repeated values", () => {
    expect(read({ q: ["a", "b"] }).filters).toEqual({});
  });
});

describe("urlCursor", () => {
  it("takes one non-empty cursor only", () => {
    expect(urlCursor({ cursor: "abc" })).toBe("abc");
    expect(urlCursor({ cursor: "" })).toBeUndefined();
    expect(urlCursor({ cursor: ["a", "b"] })).toBeUndefined();
  });
});

describe("loadFilteredPage", () => {
  const load = async (f: { q?: string }, cursor: string | undefined) => {
    if (f.q === "ab") throw new AppError("unprocessable", "Type at least 3 characters", { fieldErrors: { q: ["At least 3 characters"] } });
    return { q: f.q, after: cursor ? decodeCursor(cursor).id : null };
  };

  it("shows the first page for a cursor that is not valid, and says so", async () => {
    const r = read({ q: "anna" });
    expect(await loadFilteredPage(r, "garbage", load)).toEqual({ page: { q: "anna", after: null } });
    expect(r.errors.cursor).toMatch(/first page/);
  });

  it("drops a search the domain refuses and reports it beside the search", async () => {
    const r = read({ q: "ab" });
    expect(await loadFilteredPage(r, CURSOR, load)).toEqual({ page: { q: undefined, after: expect.any(String) }, cursor: CURSOR });
    expect(r.errors.q).toMatch(/3 characters/);
    expect(r.values.q).toBeUndefined();
  });

  it("lets other failures through", async () => {
    await expect(loadFilteredPage(read({}), undefined, async () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
  });
});
