// How a declared operation is served: inputs parsed before the handler runs (404, 422, 400, 413), what the
// handler returns turned into the answer, errors in the one JSON shape, 503 for a lost database, 405 with
// Allow for undeclared methods, OPTIONS, and the JSON 404 of paths that name no operation.
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type * as ClientModule from "@/db/client";
import { AppError } from "@/lib/errors";
import { defineOperation, reply } from "@/lib/openapi/registry";

let getDbCalls = 0;
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => {
    getDbCalls++;
    return {};
  },
}));
const { isDatabaseUnavailable, notFoundEverywhere, serve, setApiObserver } = await import("./serve");
// these operations exist only here: the contract check (test/contract) has nothing to compare them with
setApiObserver(undefined);

const ITEM_ID = "0b7c2a4e-1f3d-4c5b-8a9e-7d6c5b4a3f21";
const seen: unknown[] = [];

const getItem = defineOperation({
  method: "get",
  path: "/api/v1/items/{id}",
  operationId: "getItem",
  tag: "Workspace",
  summary: "An item",
  auth: [],
  query: [z.object({ size: z.coerce.number().int().min(1).max(10).default(3), flag: z.enum(["true", "false"]).optional() })],
  responses: [{ status: 200, description: "The item", schema: z.object({ id: z.string(), size: z.number() }) }],
  handler: async (ctx) => {
    const { params, query } = ctx;
    seen.push(params.id);
    if (query.size === 9) return { id: String(Reflect.get(ctx, "db")), size: 9 };
    if (query.flag === "true") throw new AppError("conflict", "Flagged", { why: "test" });
    return { id: params.id, size: query.size };
  },
});

const putItem = defineOperation({
  method: "put",
  path: "/api/v1/items/{id}",
  operationId: "putItem",
  tag: "Workspace",
  summary: "Replace an item",
  auth: [],
  body: z.strictObject({ name: z.string().min(1) }),
  responses: [
    { status: 200, description: "Replaced", schema: z.object({ name: z.string() }) },
    { status: 201, description: "Created", schema: z.object({ name: z.string() }) },
  ],
  handler: async ({ body }) => {
    if (body.name === "boom") throw new Error("unexpected");
    if (body.name === "gone") throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    if (body.name === "raw") return new Response("plain", { status: 200, headers: { "content-type": "text/plain" } });
    return body.name === "new" ? reply(201, { name: body.name }, { location: "/x" }) : { name: body.name };
  },
});

const postItem = defineOperation({
  method: "post",
  path: "/api/v1/items",
  operationId: "createItem",
  tag: "Workspace",
  summary: "Create an item",
  auth: [],
  body: z.strictObject({
    name: z.string().min(1, "Enter a name"),
    kind: z.string().refine((v) => v !== "bad", { params: { reason: "kind_refused" }, message: "must not be bad" }),
  }),
  invalidBodyReason: "invalid_request",
  responses: [{ status: 201, description: "Created", schema: z.object({ name: z.string() }) }],
  handler: async ({ body }) => ({ name: body.name }),
});

const { GET, PUT, POST, DELETE, OPTIONS } = serve(getItem, putItem);
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const url = (query = "") => `http://t/api/v1/items/${ITEM_ID}${query}`;
const put = (body: string) => PUT(new Request(url(), { method: "PUT", body, headers: { "content-type": "application/json" } }), ctx(ITEM_ID));

describe("serve", () => {
  it("runs the handler with parsed params and query", async () => {
    const res = await GET(new Request(url("?size=7")), ctx(ITEM_ID));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: ITEM_ID, size: 7 });
    expect(await (await GET(new Request(url()), ctx(ITEM_ID))).json()).toEqual({ id: ITEM_ID, size: 3 });
  });

  it("gives an operation without authentication no database (the document answers without one)", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await GET(new Request(url("?size=9")), ctx(ITEM_ID));
    spy.mockRestore();
    expect(res.status).toBe(500);
    expect(getDbCalls).toBe(0);
  });

  it("answers 404 for a path parameter that does not parse, before the handler runs", async () => {
    const before = seen.length;
    const res = await GET(new Request("http://t/api/v1/items/nope"), ctx("nope"));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Not found" } });
    expect(seen.length).toBe(before);
  });

  it("answers 422 with the field's error for a bad query", async () => {
    const res = await GET(new Request(url("?size=99")), ctx(ITEM_ID));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe("unprocessable");
    expect(Object.keys(body.error.details.fieldErrors)).toEqual(["size"]);
  });

  it("maps the handler's AppError to its status and the one error shape", async () => {
    const res = await GET(new Request(url("?flag=true")), ctx(ITEM_ID));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: "Flagged", details: { why: "test" } } });
  });

  it("parses the body: not JSON is 400, too large 413, invalid 422", async () => {
    expect((await put("{nope")).status).toBe(400);
    expect((await put(JSON.stringify({ name: "x".repeat(1_100_000) }))).status).toBe(413);
    const invalid = await put(JSON.stringify({ name: "", extra: 1 }));
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).error.details.fieldErrors.name).toBeDefined();
  });

  it("answers a body's validation errors with the first precise reason when the operation asks for it", async () => {
    const { POST: create } = serve(postItem);
    const post = (body: unknown) => create(new Request("http://t/api/v1/items", { method: "POST", body: JSON.stringify(body) }), ctx(""));
    const refused = await post({ name: "a", kind: "bad" });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      error: { code: "kind_refused", message: "kind: must not be bad", details: { fieldErrors: { kind: ["must not be bad"] } } },
    });
    const plain = await post({ name: "", kind: "x" });
    expect((await plain.json()).error).toMatchObject({ code: "invalid_request", message: "name: Enter a name" });
    expect((await post({ name: "a", kind: "x" })).status).toBe(201);
  });

  it("answers with the first success status, a reply's status and headers, or the handler's own Response", async () => {
    const ok = await put(JSON.stringify({ name: "a" }));
    expect([ok.status, await ok.json()]).toEqual([200, { name: "a" }]);
    const created = await put(JSON.stringify({ name: "new" }));
    expect([created.status, created.headers.get("location"), await created.json()]).toEqual([201, "/x", { name: "new" }]);
    const raw = await put(JSON.stringify({ name: "raw" }));
    expect([raw.headers.get("content-type"), await raw.text()]).toEqual(["text/plain", "plain"]);
  });

  it("answers 500 `internal` without the error's text, and 503 with retry-after when the database is gone", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const failed = await put(JSON.stringify({ name: "boom" }));
    expect(failed.status).toBe(500);
    const body = await failed.json();
    expect(body.error.code).toBe("internal");
    expect(body.error.message).not.toContain("unexpected");
    const gone = await put(JSON.stringify({ name: "gone" }));
    expect([gone.status, gone.headers.get("retry-after"), (await gone.json()).error.code]).toEqual([503, "5", "unavailable"]);
    spy.mockRestore();
  });

  it("answers 405 with Allow and the error shape for a method the path does not declare; OPTIONS names them", async () => {
    for (const handler of [POST, DELETE]) {
      const res = await handler(new Request(url(), { method: "POST" }), ctx(ITEM_ID));
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, PUT, HEAD");
      expect((await res.json()).error.code).toBe("method_not_allowed");
    }
    const options = await OPTIONS(new Request(url(), { method: "OPTIONS" }), ctx(ITEM_ID));
    expect([options.status, options.headers.get("allow")]).toEqual([204, "GET, PUT, HEAD, OPTIONS"]);
  });

  it("refuses operations of different paths or a method twice", () => {
    expect(() => serve(getItem, { ...putItem, path: "/api/v1/other" })).toThrow(/one path/);
    expect(() => serve(getItem, getItem)).toThrow(/twice/);
  });

  it("answers the JSON 404 for any method of a path without operations", async () => {
    const handlers = notFoundEverywhere();
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
      const res = await handlers[method](new Request("http://t/api/v1/nothing/here", { method }), ctx(""));
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/json");
      const body = await res.json();
      expect(body.error.code).toBe("not_found");
      expect(body.error.message).toContain("/api/v1/nothing/here");
    }
  });

  it("tells connection failures from other errors", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: Object.assign(new Error("y"), { code: "ECONNRESET" }) }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("plain"))).toBe(false);
  });
});
