// A phone WhatsApp reported is usable everywhere: a subscriber created from a wa_id libphonenumber does not
// know (a new range) can be a lead's phone and the subscriber list's phone filter, through the API routes,
// while phones typed by people stay strictly checked with a message that names the real problem.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertNumber, insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { webhookEnvelope } from "@/lib/whatsapp/payloads";
import { storeWebhookEvent } from "@/lib/whatsapp/store";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const leadsRoute = await import("./leads/route");
const subscribersRoute = await import("./subscribers/route");

// +972 98 765 4321: the right length for Israel, in a range libphonenumber calls invalid
const NEW_RANGE_WA_ID = "972987654321";

type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = async (handler: Handler, opts: { token: string; url: string; body?: unknown }) => {
  const res = await handler(
    new Request(opts.url, {
      method: opts.body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${opts.token}`, "content-type": "application/json" },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve({}) } as never,
  );
  return { status: res.status, json: await res.json() };
};

describe.each(testDrivers)("phones WhatsApp reported (%s)", (kind) => {
  let t: TestDb;
  let key = "";
  let tenantId = "";
  const pnid = "710000000000001";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    tenantId = (await insertTenant(t.db, { name: "Reported phones" })).id;
    await insertNumber(t.db, { tenantId, label: "Sales", phoneE164: "+15550783881", provider: "cloud", phoneNumberId: pnid, verifyToken: `reported-${kind}` });
    key = (await createApiKey(t.db, { tenantId, name: "website", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  const postLead = (body: unknown) => call(leadsRoute.POST, { token: key, url: "http://t/api/v1/leads", body });
  const listSubscribers = (query: string) => call(subscribersRoute.GET, { token: key, url: `http://t/api/v1/subscribers?${query}` });

  async function inboundFrom(waId: string) {
    const body = webhookEnvelope(
      { phoneNumberId: pnid, displayPhoneNumber: "15550783881", wabaId: "WABA-R" },
      {
        contacts: [{ profile: { name: "Noa" }, wa_id: waId }],
        messages: [{ from: waId, id: `wamid.R.${waId}`, timestamp: "1900000000", type: "text", text: { body: "shalom" } }],
      },
    );
    const event = await storeWebhookEvent(t.db, { provider: "cloud", rawBody: JSON.stringify(body), signatureResult: "valid", routedPhoneNumberIds: [pnid] });
    expect((await processWebhookEvents(t.db, { ids: [event.id], now: new Date() })).processed).toBe(1);
  }

  it("refuses a typed number libphonenumber calls invalid, naming the country, while nobody wrote from it", async () => {
    expect(await postLead({ name: "Noa", phone: `+${NEW_RANGE_WA_ID}` })).toMatchObject({
      status: 422,
      json: {
        error: {
          code: "invalid_request",
          message: "phone: Not a valid number for Israel",
          details: { fieldErrors: { phone: ["Not a valid number for Israel"] } },
        },
      },
    });
    expect(await postLead({ name: "Kim", phone: "+44 20 7946 095" })).toMatchObject({
      status: 422,
      json: { error: { message: "phone: Not a valid number for the United Kingdom" } },
    });
    expect(await postLead({ name: "Kim", phone: "+7 900" })).toMatchObject({
      status: 422,
      json: { error: { message: "phone: Not a valid number for Russia: it is too short" } },
    });
    expect(await postLead({ name: "Kim", phone: "12345" })).toMatchObject({
      status: 422,
      json: { error: { message: "phone: Not a valid phone number: include the country code, e.g. +7 900 123-45-67" } },
    });
  });

  it("finds the subscriber by its own phone, in any format, once WhatsApp reported it", async () => {
    await inboundFrom(NEW_RANGE_WA_ID);
    for (const waPhone of [NEW_RANGE_WA_ID, `+${NEW_RANGE_WA_ID}`, "+972 98-765-4321"]) {
      const res = await listSubscribers(`waPhone=${encodeURIComponent(waPhone)}`);
      expect(res.status).toBe(200);
      expect(res.json.rows).toEqual([expect.objectContaining({ waPhone: `+${NEW_RANGE_WA_ID}`, waId: NEW_RANGE_WA_ID })]);
    }
    // a shape that cannot be a phone at all is still a 422 that says why
    expect(await listSubscribers("waPhone=12")).toMatchObject({ status: 422 });
  });

  it("takes that subscriber's phone as a lead's phone and links the two", async () => {
    const subscriberId = (await listSubscribers(`waPhone=${NEW_RANGE_WA_ID}`)).json.rows[0].id;
    for (const [i, phone] of [`+${NEW_RANGE_WA_ID}`, NEW_RANGE_WA_ID].entries()) {
      const res = await postLead({ name: `Noa ${i}`, phone });
      expect(res).toMatchObject({ status: 201, json: { phone: `+${NEW_RANGE_WA_ID}`, subscriberId } });
    }
  });
});
