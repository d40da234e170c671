// Attack test: malformed query strings thrown at every /api/v1 list endpoint and CSV export, on both drivers.
// Every one is a 4xx with the JSON error shape (a bad cursor: 422 invalid_cursor), never a 500 and never a
// half-written CSV; the well-formed edge cases beside them still answer 200.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { MAX_TIME_MS } from "@/lib/query-params";
import { storeWebhookEvent } from "@/lib/whatsapp/store";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof ClientModule>()),
  getDb: async () => current.db!,
}));

type Handler = (req: Request, ctx: never) => Promise<Response>;
type Endpoint = {
  path: string;
  handler: Handler;
  id?: () => string;
  cursor?: boolean;
  text?: string[];
  days?: string[];
  ids?: string[];
  metaIds?: string[];
  enums?: string[];
};

const templateId = { value: "" };
const ENDPOINTS: Endpoint[] = [
  {
    path: "subscribers",
    handler: (await import("./subscribers/route")).GET,
    cursor: true,
    text: ["q", "userId"],
    days: ["from", "to"],
    ids: ["numberId"],
    metaIds: ["campaign", "ad"],
    enums: ["status", "sort", "window", "clickId", "score"],
  },
  {
    path: "subscribers/export",
    handler: (await import("./subscribers/export/route")).GET,
    text: ["q", "userId"],
    days: ["from", "to"],
    ids: ["numberId"],
    metaIds: ["campaign", "ad"],
    enums: ["status", "sort", "clickId", "score"],
  },
  {
    path: "conversions",
    handler: (await import("./conversions/route")).GET,
    cursor: true,
    days: ["from", "to"],
    ids: ["numberId"],
    enums: ["status", "eventName", "test"],
  },
  { path: "leads", handler: (await import("./leads/route")).GET, cursor: true, text: ["q", "segment"], enums: ["callStatus", "isTarget", "campaignActive"] },
  { path: "queue", handler: (await import("./queue/route")).GET, cursor: true, ids: ["numberId", "templateId", "leadId"], enums: ["status", "order"] },
  { path: "queue/stats", handler: (await import("./queue/stats/route")).GET, ids: ["numberId", "templateId", "leadId"], enums: ["status"] },
  { path: "templates", handler: (await import("./templates/route")).GET, cursor: true, text: ["segment", "appliesTo"], enums: ["active"] },
  { path: "templates/{id}/revisions", handler: (await import("./templates/[id]/revisions/route")).GET, id: () => templateId.value, cursor: true },
  { path: "numbers", handler: (await import("./numbers/route")).GET, cursor: true },
  { path: "users", handler: (await import("./users/route")).GET, cursor: true },
  { path: "api-keys", handler: (await import("./api-keys/route")).GET, cursor: true },
  { path: "webhook-events", handler: (await import("./webhook-events/route")).GET, cursor: true, ids: ["numberId"], enums: ["status", "provider"] },
  { path: "attribution", handler: (await import("./attribution/route")).GET, days: ["from", "to"], metaIds: ["campaign", "ad"], enums: ["format"] },
  { path: "attribution?format=csv", handler: (await import("./attribution/route")).GET, days: ["from", "to"], metaIds: ["campaign", "ad"] },
];
const templates = await import("./templates/route");
const webhookEvent = await import("./webhook-events/[id]/route");

const UUID = "0b7e5f0e-6a4b-4c1d-9f7e-2d3c4b5a6978";
const b64 = (s: string) => Buffer.from(s).toString("base64url");
const json64 = (v: unknown) => b64(JSON.stringify(v));
const NOW_MS = Date.UTC(2030, 4, 1);

/** Cursors no list ever hands out: each must be a 422 invalid_cursor. */
const BAD_CURSORS: [string, string][] = [
  ["not base64url", "!!!***"],
  ["base64 of garbage", "nope"],
  ["padded standard base64", `${Buffer.from(JSON.stringify({ t: NOW_MS, id: UUID })).toString("base64")}==`],
  ["base64 of text", b64("not json")],
  ["JSON null", json64(null)],
  ["JSON array", json64([NOW_MS, UUID])],
  ["JSON string", json64("x")],
  ["empty object", json64({})],
  ["time as text", json64({ t: "2030-05-01", id: UUID })],
  ["fractional time", json64({ t: 1.5, id: UUID })],
  ["time before 1970", json64({ t: -1, id: UUID })],
  ["year 0", json64({ t: Date.parse("0000-01-01T00:00:00Z"), id: UUID })],
  ["year 10000", json64({ t: Date.UTC(10000, 0, 1), id: UUID })],
  ["year 275760", json64({ t: 8.64e15, id: UUID })],
  ["beyond Date", json64({ t: 8.64e15 + 1, id: UUID })],
  ["1e300", json64({ t: 1e300, id: UUID })],
  ["id not a uuid", json64({ t: NOW_MS, id: "1; drop table users" })],
  ["id with NUL", json64({ t: NOW_MS, id: `${UUID}\u0000` })],
  ["template cursor, huge delay", json64({ d: 1e300, h: 0, n: "x" })],
  ["template cursor, NUL name", json64({ d: 0, h: 0, n: "a\u0000" })],
  ["revision cursor, huge", json64({ r: 2 ** 53 })],
  ["deep JSON", b64(`${"[".repeat(5000)}${"]".repeat(5000)}`)],
  ["very long", "A".repeat(20_000)],
  ["NUL", "\u0000"],
];

const BAD_LIMITS = ["abc", "-1", "0", "1.5", "201", "1e309", "99999999999999999999", "Infinity", "NaN", "\u0000"];
const BAD_DAYS = [
  "0000-01-01",
  "0001-01-01",
  "1969-12-31",
  "+275760-09-13",
  "275760-09-13",
  "2026-02-30",
  "2026-13-01",
  "2026-1-1",
  "2026-02-28T00:00:00Z",
  "yesterday",
  "\u0000",
];
const BAD_TEXT = ["a\u0000b", "\u0000", `abc${"\u0007"}`, "x".repeat(5_000)];

const query = (base: string, params: [string, string][]) => {
  const [path, fixed] = base.split("?");
  const qs = new URLSearchParams(fixed);
  for (const [k, v] of params) qs.append(k, v);
  return `http://test.local/api/v1/${path}?${qs}`;
};

describe.each(testDrivers)("bad query input on /api/v1 (%s)", (kind) => {
  let t: TestDb;
  let key = "";
  let tenantId = "";
  let restoreEnv = () => {};

  const call = async (ep: Endpoint, params: [string, string][]) => {
    const res = await ep.handler(new Request(query(ep.path, params), { headers: { authorization: `Bearer ${key}` } }), {
      params: Promise.resolve({ id: ep.id?.() ?? "" }),
    } as never);
    const text = await res.text();
    return { status: res.status, type: res.headers.get("content-type") ?? "", text };
  };

  /** 4xx with `{ error: { code, message } }` as JSON (never a CSV, never a 500). */
  const expectRefused = async (ep: Endpoint, params: [string, string][], code?: string) => {
    const res = await call(ep, params);
    const what = `${ep.path} ${JSON.stringify(params).slice(0, 120)} → ${res.status} ${res.text.slice(0, 200)}`;
    expect(res.status, what).toBeGreaterThanOrEqual(400);
    expect(res.status, what).toBeLessThan(500);
    expect(res.type, what).toContain("application/json");
    const body = JSON.parse(res.text) as { error: { code: string; message: string } };
    expect(body.error, what).toMatchObject({ code: code ?? expect.any(String), message: expect.any(String) });
    return res;
  };

  const expectOk = async (ep: Endpoint, params: [string, string][]) => {
    const res = await call(ep, params);
    expect(res.status, `${ep.path} ${JSON.stringify(params).slice(0, 120)} → ${res.status} ${res.text.slice(0, 300)}`).toBe(200);
    return res;
  };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: Buffer.alloc(32, 5).toString("base64"), APP_URL: "https://clicktrail.example.com" });
    tenantId = (await insertTenant(t.db, { name: "Bad input" })).id;
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    const created = await templates.POST(
      new Request("http://test.local/api/v1/templates", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "day-0", title: "Day 0", content: "Hello {{first_name}}", delayDays: 0 }),
      }),
      {} as never,
    );
    expect(created.status).toBe(201);
    templateId.value = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  it("answers every list's first page (the baseline the attacks are measured against)", async () => {
    for (const ep of ENDPOINTS) await expectOk(ep, []);
  });

  it("refuses every malformed cursor with 422 invalid_cursor", async () => {
    for (const ep of ENDPOINTS.filter((e) => e.cursor)) {
      for (const [, cursor] of BAD_CURSORS) {
        const res = await expectRefused(ep, [["cursor", cursor]], "invalid_cursor");
        expect(res.status).toBe(422);
      }
    }
  });

  it("refuses a repeated or empty cursor", async () => {
    for (const ep of ENDPOINTS.filter((e) => e.cursor)) {
      await expectRefused(ep, [
        ["cursor", "a"],
        ["cursor", "b"],
      ]);
      await expectRefused(ep, [["cursor", ""]]);
    }
  });

  it("accepts well-formed cursors at the edges of their ranges", async () => {
    const edges = (path: string) =>
      path === "templates"
        ? [
            { d: 0, h: 0, n: "" },
            { d: 2_147_483_647, h: 23, n: "zz-ä😀" },
          ]
        : path === "templates/{id}/revisions"
          ? [{ r: 1 }, { r: 2_147_483_647 }]
          : [{ t: 0, id: UUID }, { t: MAX_TIME_MS, id: UUID }, ...(path === "subscribers" ? [{ t: null, id: UUID }] : [])];
    for (const ep of ENDPOINTS.filter((e) => e.cursor)) for (const edge of edges(ep.path)) await expectOk(ep, [["cursor", json64(edge)]]);
  });

  it("refuses bad limits with 422", async () => {
    for (const ep of ENDPOINTS.filter((e) => e.cursor)) {
      for (const limit of BAD_LIMITS) expect((await expectRefused(ep, [["limit", limit]])).status).toBe(422);
      await expectRefused(ep, [
        ["limit", "10"],
        ["limit", "20"],
      ]);
    }
  });

  it("refuses days outside 1970-01-01 … 9999-12-31 and days that do not exist, with a message", async () => {
    for (const ep of ENDPOINTS.filter((e) => e.days)) {
      for (const field of ep.days!) {
        for (const day of BAD_DAYS) {
          const res = await expectRefused(ep, [[field, day]]);
          expect(res.status).toBe(422);
        }
        await expectRefused(ep, [
          [field, "2030-01-01"],
          [field, "2030-01-02"],
        ]);
      }
      await expectRefused(ep, [
        ["from", "2030-02-01"],
        ["to", "2030-01-01"],
      ]);
    }
  });

  it("accepts the first and last days there are (the end of time is open-ended)", async () => {
    for (const ep of ENDPOINTS.filter((e) => e.days)) {
      await expectOk(ep, [
        ["from", "9999-12-31"],
        ["to", "9999-12-31"],
      ]);
      await expectOk(ep, [["to", "9999-12-31"]]);
      await expectOk(ep, [
        ["from", "1970-01-01"],
        ["to", "1970-01-01"],
      ]);
      await expectOk(ep, [["to", "1970-01-05"]]);
      await expectOk(ep, [["from", "9999-12-31"]]);
    }
  });

  it("refuses text filters with NUL or control characters, and overlong ones, with 422", async () => {
    for (const ep of ENDPOINTS.filter((e) => e.text)) {
      for (const field of ep.text!) {
        for (const text of BAD_TEXT) expect((await expectRefused(ep, [[field, text]])).status).toBe(422);
        await expectRefused(ep, [
          [field, "abc"],
          [field, "def"],
        ]);
      }
    }
  });

  it("searches for LIKE wildcards, backslashes, quotes and emoji as plain text", async () => {
    for (const ep of ENDPOINTS.filter((e) => e.text)) {
      for (const field of ep.text!) for (const text of ["100%_x", "abc\\", "o'brien\"", "ä😀 ok", "%%%"]) await expectOk(ep, [[field, text]]);
    }
  });

  it("refuses malformed ids, Meta ids and enum values, alone or repeated", async () => {
    for (const ep of ENDPOINTS) {
      for (const field of ep.ids ?? []) {
        for (const v of ["not-a-uuid", `${UUID}\u0000`, "x".repeat(5000)]) await expectRefused(ep, [[field, v]]);
        await expectRefused(ep, [
          [field, UUID],
          [field, UUID],
        ]);
      }
      for (const field of ep.metaIds ?? []) {
        for (const v of ["\u0000", "a b", "x".repeat(5000), "1%"]) await expectRefused(ep, [[field, v]]);
        await expectRefused(ep, [
          [field, "1"],
          [field, "2"],
        ]);
      }
      for (const field of ep.enums ?? []) {
        for (const v of ["bogus", "\u0000", "x".repeat(5000)]) await expectRefused(ep, [[field, v]]);
        await expectRefused(ep, [
          [field, "a"],
          [field, "b"],
        ]);
      }
    }
  });

  it("validates the export before its first byte: a refused export is JSON, an accepted one a whole CSV", async () => {
    const exp = ENDPOINTS.find((e) => e.path === "subscribers/export")!;
    const res = await expectRefused(exp, [["q", "a\u0000"]]);
    expect(res.text).not.toContain("\r\n");
    const ok = await expectOk(exp, [["to", "9999-12-31"]]);
    expect(ok.type).toContain("text/csv");
    expect(ok.text.endsWith("\r\n")).toBe(true);
  });

  it("shows a stored body nested 10,000 deep as received (200, never a 500), and its list entry", async () => {
    const n = 10_000;
    const bodies = {
      array: `${"[".repeat(n)}${"]".repeat(n)}`,
      inMessage: `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},"messages":[{"from":"15550001","id":"wamid.deep","timestamp":"1","type":"text","text":{"body":"hi"},"extra":${"[".repeat(n)}${"]".repeat(n)}}]}}]}]}`,
      inObject: `{"a":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`,
    };
    for (const [name, rawBody] of Object.entries(bodies)) {
      const row = await storeWebhookEvent(t.db, {
        provider: "cloud",
        rawBody,
        signatureResult: "valid",
        tenantId,
        numberId: null,
        receivedAt: new Date(NOW_MS),
        status: "processed",
      });
      const res = await webhookEvent.GET(new Request(`http://test.local/api/v1/webhook-events/${row.id}`, { headers: { authorization: `Bearer ${key}` } }), {
        params: Promise.resolve({ id: row.id }),
      } as never);
      expect(res.status, name).toBe(200);
      const detail = (await res.json()) as { rawBody: string; prettyBody: string | null; bodyFormat: string; items: { kind: string }[] };
      expect(detail, name).toMatchObject({ rawBody, prettyBody: null, bodyFormat: "deep_json" });
      if (name === "inMessage") expect(detail.items.map((i) => i.kind)).toEqual(["message"]);
    }
    await expectOk(
      ENDPOINTS.find((e) => e.path === "webhook-events")!,
      [],
    );
  });
});
