// POST /api/v1/numbers with a Green API URL aimed at this server's own neighbours: the Graph API fake that
// GRAPH_API_BASE names (where tenant A's token would be answered) or the metadata service. Refused with a field
// error and no connection, unless the operator listed the host in GREEN_API_HOSTS (read from the environment).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => current.db!,
}));

const list = await import("./route");

const post = async (token: string, body: unknown) => {
  const res = await list.POST(
    new Request("http://test.local/api/v1/numbers", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) } as never,
  );
  return { status: res.status, json: await res.json() };
};

describe.each(testDrivers)("/api/v1/numbers Green API URL (%s)", (kind) => {
  let t: TestDb;
  let server: http.Server;
  let internal = "";
  let connections = 0;
  let key = "";
  let seq = 0;
  const green = (greenApiUrl: string) => ({
    provider: "green",
    label: `G${(seq += 1)}`,
    phoneE164: `+1555078${String(5000 + seq)}`,
    greenApiUrl,
    greenInstanceId: `7103${String(seq).padStart(6, "0")}`,
    greenApiToken: "green-token",
  });

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    // stands for an internal service (the Graph fake, an admin port): it would say "authorized" to anyone
    server = http.createServer((_req, res) => res.end(JSON.stringify({ stateInstance: "authorized" })));
    server.on("connection", () => void (connections += 1));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    internal = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tenantId = (await insertTenant(t.db, { name: `Tenant B ${kind}` })).id;
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await t.cleanup();
  });

  it("refuses an internal or metadata URL with a field error, connecting nowhere", async () => {
    const restore = setEnvForTests({ ENCRYPTION_KEY: Buffer.alloc(32, 6).toString("base64"), GRAPH_API_BASE: internal, GREEN_API_HOSTS: "" });
    try {
      for (const url of [internal, `${internal}/v24.0`, "http://169.254.169.254", "http://localhost:3000"]) {
        const res = await post(key, green(url));
        expect(res.status, url).toBe(422);
        expect(res.json.error).toMatchObject({
          code: "green_api_url_refused",
          details: { fieldErrors: { greenApiUrl: [expect.stringContaining("Green API URL refused")] } },
        });
      }
      expect(connections).toBe(0);
    } finally {
      restore();
    }
  });

  it("accepts a host the operator listed in GREEN_API_HOSTS, and checks it at once", async () => {
    const restore = setEnvForTests({ ENCRYPTION_KEY: Buffer.alloc(32, 6).toString("base64"), GREEN_API_HOSTS: "127.0.0.1" });
    try {
      const res = await post(key, green(internal));
      expect(res.status).toBe(201);
      expect(res.json.check).toMatchObject({ status: "connected" });
      expect(connections).toBe(1);
    } finally {
      restore();
    }
  });
});
