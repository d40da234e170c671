// GET /api/v1/subscribers(/{id}) and the export after a Meta user_preferences webhook: the customer's marketing
// choice as marketingPreference + marketingPreferenceAt (unix ms), on both drivers.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertNumber, insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { storeWebhookEvent } from "@/lib/whatsapp/store";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const list = await import("./route");
const one = await import("./[id]/route");
const exporter = await import("./export/route");

const PNID = "830000000000017";
const stoppedAt = new Date("2032-05-02T14:30:00.000Z");

function preferences(waId: string, value: string, at: Date) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "WABA-PREFS-API",
        changes: [
          {
            field: "user_preferences",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15557770200", phone_number_id: PNID },
              contacts: [{ profile: { name: "Iris Vale" }, wa_id: waId }],
              user_preferences: [
                { wa_id: waId, detail: "Stopped promotions from the chat menu", category: "marketing_messages", value, timestamp: String(at.getTime() / 1000) },
              ],
            },
          },
        ],
      },
    ],
  };
}

const request = (handler: (req: Request, ctx: never) => Promise<Response>, token: string, url: string, id = "") =>
  handler(new Request(url, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id }) } as never);

describe.each(testDrivers)("subscriber marketing preference in the API (%s)", (kind) => {
  let t: TestDb;
  let key = "";
  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    const tenantId = (await insertTenant(t.db, { name: "Preferences API" })).id;
    await insertNumber(t.db, {
      tenantId,
      label: "Main",
      phoneE164: "+15557770200",
      provider: "cloud",
      phoneNumberId: PNID,
      verifyToken: randomUUID(),
      active: true,
    });
    for (const [waId, value] of [
      ["447911123456", "stop"],
      ["447911123457", "resume"],
    ] as const) {
      const rawBody = JSON.stringify(preferences(waId, value, stoppedAt));
      const event = await storeWebhookEvent(t.db, { provider: "cloud", rawBody, signatureResult: "valid", routedPhoneNumberIds: [PNID], tenantId });
      await processWebhookEvents(t.db, { ids: [event.id], now: stoppedAt });
    }
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  it("shows marketingPreference and marketingPreferenceAt in the list and the detail", async () => {
    const found = await (await request(list.GET, key, "http://t/api/v1/subscribers?waPhone=%2B447911123456")).json();
    expect(found.rows).toHaveLength(1);
    expect(found.rows[0]).toMatchObject({
      waPhone: "+447911123456",
      marketingPreference: "stop",
      marketingPreferenceAt: stoppedAt.getTime(),
      status: "active",
    });

    const res = await request(one.GET, key, `http://t/api/v1/subscribers/${found.rows[0].id}`, found.rows[0].id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ marketingPreference: "stop", marketingPreferenceAt: stoppedAt.getTime() });

    const resumed = await (await request(list.GET, key, "http://t/api/v1/subscribers?waPhone=%2B447911123457")).json();
    expect(resumed.rows[0]).toMatchObject({ marketingPreference: "resume", marketingPreferenceAt: stoppedAt.getTime() });
  });

  it("exports the preference and its time", async () => {
    const csv = await (await request(exporter.GET, key, "http://t/api/v1/subscribers/export?waPhone=%2B447911123456")).text();
    const [header, row] = csv
      .trim()
      .split("\r\n")
      .map((line) => line.split(","));
    const cell = (name: string) => row![header!.indexOf(name)];
    expect([cell("marketing_preference"), cell("marketing_preference_at")]).toEqual(["stop", stoppedAt.toISOString()]);
  });
});
