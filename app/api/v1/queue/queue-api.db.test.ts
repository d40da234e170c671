// The drip queue API through its route handlers: the figures, the list (filters, order, keyset pages, the
// provider's answer as shown), retrying a failed message and cancelling a pending one (409 for the wrong
// states), and another tenant's key, an unknown id or a malformed one is a 404.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertNumber, insertTenant } from "@/db/queries";
import { leads, outboundMessages } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const list = await import("./route");
const stats = await import("./stats/route");
const retry = await import("./[id]/retry/route");
const cancel = await import("./[id]/cancel/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
const call = async (handler: Handler, opts: { token: string; url: string; method?: string; id?: string }) => {
  const res = await handler(new Request(opts.url, { method: opts.method ?? "GET", headers: { authorization: `Bearer ${opts.token}` } }), {
    params: Promise.resolve(opts.id === undefined ? {} : { id: opts.id }),
  } as never);
  return { status: res.status, json: await res.json() };
};

const minutes = (m: number) => new Date(Date.now() + m * 60_000);

describe.each(testDrivers)("/api/v1/queue (%s)", (kind) => {
  let t: TestDb;
  let key = "";
  let otherKey = "";
  let leadId = "";
  let numberId = "";
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    const tenantId = (await insertTenant(t.db, { name: "Queue API" })).id;
    numberId = (await insertNumber(t.db, { tenantId, label: "Sales", phoneE164: "+15550783882", provider: "cloud", verifyToken: `queue-api-${kind}` })).id;
    leadId = (await t.db.insert(leads).values({ tenantId, name: "Lena", phone: "+14152009999", numberId }).returning())[0]!.id;
    const row = (name: string, values: Partial<typeof outboundMessages.$inferInsert>) => ({
      tenantId,
      leadId,
      numberId,
      phone: "+14152009999",
      templateName: name,
      scheduledAt: minutes(0),
      ...values,
    });
    const inserted = await t.db
      .insert(outboundMessages)
      .values([
        row("due", { scheduledAt: minutes(-30) }),
        row("later", { scheduledAt: minutes(60) }),
        row("sent", {
          status: "sent",
          scheduledAt: minutes(-60),
          sentAt: minutes(-59),
          providerMessageId: "wamid.S",
          renderedText: "Hi Lena",
          providerResponse: { messaging_product: "whatsapp", messages: [{ id: "wamid.S" }] },
        }),
        row("failed", {
          status: "failed",
          scheduledAt: minutes(-90),
          attempts: 3,
          errorCode: "131026",
          errorMessage: "Message undeliverable",
          providerResponse: {
            httpStatus: 400,
            error: { code: 131026, message: "Message undeliverable", fbtrace_id: "Ab", error_data: { details: "d" }, extra: "not shown" },
          },
        }),
      ])
      .returning();
    for (const r of inserted) ids[r.templateName] = r.id;
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
  });
  afterAll(() => t.cleanup());

  const get = (handler: Handler, query = "", token = key) => call(handler, { token, url: `http://t/api/v1/queue${query}` });
  const post = (handler: Handler, id: string, token = key) => call(handler, { token, id, method: "POST", url: `http://t/api/v1/queue/${id}/x` });

  it("answers the figures: rows per status, what is due now and how old it is, sends per hour", async () => {
    const res = await get(stats.GET);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      counts: { pending: 2, sending: 0, sent: 1, failed: 1, cancelled: 0, skipped: 0 },
      dueNow: 1,
      oldestDueAt: expect.any(String),
      at: expect.any(String),
    });
    expect(res.json.oldestDueAgeSeconds).toBeGreaterThanOrEqual(30 * 60 - 5);
    expect(res.json.sentPerHour.reduce((n: number, h: { sent: number }) => n + h.sent, 0)).toBe(1);
    expect((await get(stats.GET, "?status=failed")).json.counts).toMatchObject({ pending: 0, failed: 1 });
    expect(await get(stats.GET, "?status=bogus")).toMatchObject({ status: 422, json: { error: { code: "unprocessable" } } });
  });

  it("lists the queue by schedule either way, page by page, with the lead, the number and the provider's answer as shown", async () => {
    const all = await get(list.GET);
    expect(all.status).toBe(200);
    expect(all.json.rows.map((r: { templateName: string }) => r.templateName)).toEqual(["later", "due", "sent", "failed"]);
    const failed = all.json.rows[3];
    expect(failed).toMatchObject({
      id: ids.failed,
      status: "failed",
      leadId,
      leadName: "Lena",
      numberId,
      numberLabel: "Sales",
      attempts: 3,
      errorCode: "131026",
      errorMessage: "Message undeliverable",
    });
    expect(failed.providerResponse).toEqual({
      httpStatus: 400,
      error: { code: 131026, message: "Message undeliverable", fbtrace_id: "Ab", error_data: { details: "d" } },
    });
    expect(all.json.rows[2]).toMatchObject({
      providerMessageId: "wamid.S",
      renderedText: "Hi Lena",
      sentAt: expect.any(String),
      providerResponse: { messageId: "wamid.S" },
    });
    expect(all.json.rows[0].providerResponse).toBeNull();

    const first = await get(list.GET, "?status=pending&order=asc&limit=1");
    expect(first.json.rows.map((r: { templateName: string }) => r.templateName)).toEqual(["due"]);
    expect((await get(list.GET, `?status=pending&order=asc&limit=1&cursor=${first.json.nextCursor}`)).json).toMatchObject({
      rows: [{ templateName: "later" }],
      nextCursor: null,
    });
    expect((await get(list.GET, `?leadId=${leadId}&status=sent`)).json.rows).toHaveLength(1);
    expect(await get(list.GET, "?cursor=nope")).toMatchObject({ status: 422, json: { error: { code: "invalid_cursor" } } });
  });

  it("retries a failed message (pending, due now, attempts from zero) and refuses one that was sent", async () => {
    const res = await post(retry.POST, ids.failed!);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: ids.failed, status: "pending", attempts: 0, errorCode: null, errorMessage: null, leadName: null, numberLabel: null });
    expect(await post(retry.POST, ids.sent!)).toMatchObject({ status: 409, json: { error: { code: "not_retryable", details: { status: "sent" } } } });
  });

  it("cancels a pending message and refuses one that is not pending", async () => {
    expect(await post(cancel.POST, ids.later!)).toMatchObject({ status: 200, json: { id: ids.later, status: "cancelled" } });
    expect(await post(cancel.POST, ids.later!)).toMatchObject({ status: 409, json: { error: { code: "not_cancellable", details: { status: "cancelled" } } } });
  });

  it("hides another tenant's rows: its key sees an empty queue and a 404 for the row; a malformed id is a 404", async () => {
    expect((await get(list.GET, "", otherKey)).json.rows).toEqual([]);
    expect(await post(cancel.POST, ids.due!, otherKey)).toMatchObject({ status: 404, json: { error: { code: "not_found" } } });
    expect(await post(retry.POST, ids.failed!, otherKey)).toMatchObject({ status: 404 });
    expect(await post(retry.POST, "not-a-uuid")).toMatchObject({ status: 404, json: { error: { code: "not_found" } } });
    expect(await call(list.GET, { token: "ck_not-a-key", url: "http://t/api/v1/queue" })).toMatchObject({
      status: 401,
      json: { error: { code: "unauthorized" } },
    });
  });

  it("answers 405 with Allow for a method the path does not have", async () => {
    const res = await retry.GET(new Request(`http://t/api/v1/queue/${ids.due}/retry`, { headers: { authorization: `Bearer ${key}` } }), {
      params: Promise.resolve({ id: ids.due! }),
    } as never);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
