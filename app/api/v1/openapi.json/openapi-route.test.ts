// GET /api/v1/openapi.json: public, JSON, built for APP_URL.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import type { z } from "zod";
import { setEnvForTests } from "@/lib/env";
import type { OpenApiDocument } from "@/lib/openapi/document";
import type { openApiDocumentSchema } from "@/lib/openapi/operations-workspace";

// compile-time: the document's type fits the schema its 200 answer is declared with (a type-only import
// here, as operations-workspace.ts must not import document.ts, which imports the operations)
const _documentIsDescribed: OpenApiDocument extends z.output<typeof openApiDocumentSchema> ? true : false = true;

// lib/api/serve.ts opens the database before every handler, this one's too (which never uses it): no test
// database is needed, so it hands out a stand-in
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => ({}) as Db,
}));

const route = await import("./route");
const { GET } = route;
const get = () => GET(new Request("http://test.local/api/v1/openapi.json"), undefined as never);

describe("GET /api/v1/openapi.json", () => {
  let restoreEnv = () => {};
  beforeAll(() => {
    restoreEnv = setEnvForTests({ APP_URL: "https://ct.example.com", ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") });
  });
  afterAll(() => restoreEnv());

  it("answers the OpenAPI document without authentication", async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers[0]?.url).toBe("https://ct.example.com");
    expect(doc.paths).toHaveProperty(["/api/v1/conversions/whatsapp"]);
    expect(await (await get()).text()).toBe(JSON.stringify(doc, null, 2));
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("answers 405 with Allow for the methods it does not have, and OPTIONS names them", async () => {
    const res = await route.POST(new Request("http://test.local/api/v1/openapi.json", { method: "POST" }), undefined as never);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(await res.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    expect((await route.OPTIONS(new Request("http://test.local/api/v1/openapi.json", { method: "OPTIONS" }), undefined as never)).headers.get("allow")).toBe(
      "GET, HEAD, OPTIONS",
    );
  });
});
