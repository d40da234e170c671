// GET /api/v1/openapi.json: public, JSON, built for APP_URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setEnvForTests } from "@/lib/env";

const { GET } = await import("./route");
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
  });
});
