// /api/v1/simulator: the real handler on a test database; then a webhook signed with the answer is accepted.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { getNumberById, insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { SIMULATOR_LABEL } from "@/lib/simulator";
import { fakeWamid, inboundMessage } from "@/lib/whatsapp/payloads";
import { kickWebhookProcessing } from "@/lib/whatsapp/processing-loop";
import { signMetaBody } from "@/lib/whatsapp/signature";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => current.db!,
}));

const { POST } = await import("./route");
const webhook = await import("@/app/api/webhooks/whatsapp/route");
const CRON_SECRET = "simulator-cron-secret-0123";

const prepare = async (token?: string) => {
  const res = await POST(
    new Request("http://test.local/api/v1/simulator", { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {} }),
    undefined as never,
  );
  return {
    status: res.status,
    json: (await res.json()) as {
      number: { id: string; phoneNumberId: string; wabaId: string; phoneE164: string };
      appSecret: string;
      error?: { code: string };
    },
  };
};

describe.each(testDrivers)("/api/v1/simulator (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ CRON_SECRET, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") });
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  it("refuses the cron secret before any workspace exists, and strangers always", async () => {
    expect((await prepare(CRON_SECRET)).status).toBe(409);
    expect((await prepare("not-the-secret-at-all-0000")).status).toBe(401);
  });

  it("creates one inactive Simulator number in the first workspace and re-keys it on every run", async () => {
    const first = await insertTenant(t.db, { name: "First" });
    await insertTenant(t.db, { name: "Second" });
    const created = await prepare(CRON_SECRET);
    expect(created.status).toBe(201);
    expect(created.json.number.phoneE164).toMatch(/^\+1555\d{7}$/);
    const row = await getNumberById(t.db, { tenantId: first.id, id: created.json.number.id });
    expect(row).toMatchObject({ label: SIMULATOR_LABEL, provider: "cloud", active: false });

    const again = await prepare(CRON_SECRET);
    expect(again.status).toBe(200);
    expect(again.json.number.id).toBe(created.json.number.id);
    expect(again.json.appSecret).not.toBe(created.json.appSecret);

    // the fresh secret is the one webhooks verify against; the previous one no longer is
    const n = { phoneNumberId: again.json.number.phoneNumberId, wabaId: again.json.number.wabaId, displayPhoneNumber: again.json.number.phoneE164.slice(1) };
    const post = (secret: string, i: number) => {
      const raw = JSON.stringify(
        inboundMessage(n, { from: { waId: "15550001111", name: "Sim" }, wamid: fakeWamid(`sim-${kind}-${i}`), at: new Date(), text: "hi" }),
      );
      return webhook.POST(
        new Request("http://test.local/api/webhooks/whatsapp", { method: "POST", headers: { "x-hub-signature-256": signMetaBody(raw, secret) }, body: raw }),
      );
    };
    expect((await post(again.json.appSecret, 1)).status).toBe(200);
    expect((await post(created.json.appSecret, 2)).status).toBe(401);
    await kickWebhookProcessing(t.db); // let the processing the accepted webhook started finish
  });

  it("uses the API key's own workspace", async () => {
    const tenant = await insertTenant(t.db, { name: "Keyed" });
    const key = (await createApiKey(t.db, { tenantId: tenant.id, name: "sim", createdBy: null })).secret;
    const res = await prepare(key);
    expect(res.status).toBe(201);
    expect(await getNumberById(t.db, { tenantId: tenant.id, id: res.json.number.id })).not.toBeNull();
  });
});
