// Outgoing-webhook endpoints on both drivers: the secret is made once, sealed, and only hinted at afterwards;
// URLs the server may not call are refused at save (after DNS); the per-workspace limit; keyset pages of
// endpoints, deliveries and attempts; switching back on; rotation with a 24 h roll-over; resending.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { outgoingEvents, webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { decryptSecret } from "@/lib/crypto";
import { parseHostRules } from "@/lib/egress";
import { AppError } from "@/lib/errors";
import {
  createEndpoint,
  deleteEndpoint,
  type EndpointKeys,
  endpointInputSchema,
  endpointUrlRefusal,
  getEndpoint,
  listAttemptsPage,
  listDeliveriesPage,
  listEndpointsPage,
  PREVIOUS_SECRET_VALID_MS,
  resendDelivery,
  rotateEndpointSecret,
  updateEndpoint,
  WEBHOOK_ENDPOINTS_MAX,
} from "./endpoints";
import { onDeliveriesKicked } from "./kick";

const KEY = Buffer.alloc(32, 41).toString("base64");
const dns: Record<string, string[]> = { "hooks.example.com": ["93.184.216.34"], "inside.example.com": ["93.184.216.34", "10.0.0.5"] };
const resolve = async (host: string) => {
  const found = dns[host];
  if (!found) throw Object.assign(new Error(`${host} not found`), { code: "ENOTFOUND" });
  return found.map((address) => ({ address, family: 4 }));
};
const keys: EndpointKeys = { encryptionKey: KEY, egress: { trusted: parseHostRules("gateway.internal:8080"), resolve } };
const input = (over: Record<string, unknown> = {}) => endpointInputSchema.parse({ url: "https://hooks.example.com/in", eventTypes: ["lead.created"], ...over });
const T0 = new Date("2026-12-07T10:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function refusal(run: () => Promise<unknown>): Promise<AppError> {
  const e = await run().then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
}

describe("endpointUrlRefusal", () => {
  it("allows https to public hosts on any port, and hosts the operator listed over http", async () => {
    expect(await endpointUrlRefusal("https://hooks.example.com/in?x=1", keys.egress)).toBeNull();
    expect(await endpointUrlRefusal("https://hooks.example.com:8443/in", keys.egress)).toBeNull();
    expect(await endpointUrlRefusal("https://93.184.216.34/in", keys.egress)).toBeNull();
    expect(await endpointUrlRefusal("http://gateway.internal:8080/hook", keys.egress)).toBeNull();
    // a name without an address reaches nothing; the delivery checks again when it connects
    expect(await endpointUrlRefusal("https://unknown.example.com/", keys.egress)).toBeNull();
  });

  it("refuses http, credentials, loopback, private addresses behind a name, and over-long URLs", async () => {
    expect(await endpointUrlRefusal("http://hooks.example.com/in", keys.egress)).toMatch(/only https/);
    expect(await endpointUrlRefusal("ftp://hooks.example.com/in", keys.egress)).toMatch(/only https/);
    expect(await endpointUrlRefusal("https://me:pw@hooks.example.com/in", keys.egress)).toMatch(/user name or password/);
    expect(await endpointUrlRefusal("https://127.0.0.1/in", keys.egress)).toBe("127.0.0.1 is a loopback address");
    expect(await endpointUrlRefusal("https://[::1]/in", keys.egress)).toBe("::1 is a loopback address");
    expect(await endpointUrlRefusal("https://169.254.169.254/latest", keys.egress)).toMatch(/link-local/);
    expect(await endpointUrlRefusal("https://localhost:3000/in", keys.egress)).toMatch(/loopback/);
    expect(await endpointUrlRefusal("https://inside.example.com/in", keys.egress)).toBe("inside.example.com resolves to 10.0.0.5, a private address");
    expect(await endpointUrlRefusal("http://gateway.internal:9090/hook", keys.egress)).toMatch(/only https/);
    expect(await endpointUrlRefusal(`https://hooks.example.com/${"a".repeat(2048)}`, keys.egress)).toMatch(/longer than 2048/);
    expect(await endpointUrlRefusal("not a url", keys.egress)).toMatch(/cannot be read/);
  });
});

describe("endpointInputSchema", () => {
  it("keeps the known types in their order, makes * mean all, and refuses none or unknown ones", () => {
    expect(input({ eventTypes: ["conversion.sent", "lead.created", "lead.created"] }).eventTypes).toEqual(["lead.created", "conversion.sent"]);
    expect(input({ eventTypes: ["lead.created", "*"] }).eventTypes).toEqual(["*"]);
    expect(endpointInputSchema.safeParse({ url: "https://a.example", eventTypes: [] }).success).toBe(false);
    expect(endpointInputSchema.safeParse({ url: "https://a.example", eventTypes: ["lead.exploded"] }).success).toBe(false);
    expect(endpointInputSchema.safeParse({ url: "https://a.example", eventTypes: ["*"], description: "x".repeat(201) }).success).toBe(false);
    expect(input({ description: "  " }).description).toBeNull();
    expect(input().enabled).toBe(true);
  });
});

describe.each(testDrivers)("webhook endpoints (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let otherTenant = "";
  let kicks = 0;
  let unsubscribe = () => {};

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Hooks" })).id;
    otherTenant = (await insertTenant(t.db, { name: "Other hooks" })).id;
    unsubscribe = onDeliveriesKicked(() => void kicks++);
  });
  afterAll(async () => {
    unsubscribe();
    await t.cleanup();
  });

  it("answers the secret once, stores it sealed, and shows only its last characters afterwards", async () => {
    const created = await createEndpoint(t.db, keys, { tenantId, input: input({ description: "CRM" }), now: T0 });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ url: "https://hooks.example.com/in", description: "CRM", eventTypes: ["lead.created"], enabled: true, status: "healthy" });
    expect(created.secretHint).toBe(`•••• ${created.secret.slice(-4)}`);
    const [row] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(row!.secretEnc).not.toContain(created.secret.slice(6));
    expect(decryptSecret(row!.secretEnc, KEY)).toBe(created.secret);
    const again = await getEndpoint(t.db, keys, { tenantId, id: created.id });
    expect(JSON.stringify(again)).not.toContain(created.secret.slice(6));
    expect(again).not.toHaveProperty("secret");
    expect(again).not.toHaveProperty("secretEnc");
    await deleteEndpoint(t.db, { tenantId, id: created.id });
  });

  it("refuses a URL the server may not call with webhook_url_refused on the url field", async () => {
    const e = await refusal(() => createEndpoint(t.db, keys, { tenantId, input: input({ url: "https://10.1.2.3/hook" }), now: T0 }));
    expect(e).toMatchObject({
      code: "unprocessable",
      reason: "webhook_url_refused",
      details: { fieldErrors: { url: [expect.stringMatching(/10\.1\.2\.3 is a private/)] } },
    });
  });

  it("keeps at most 20 per workspace, lists them newest first in keyset pages, and never another workspace's", async () => {
    for (let i = 0; i < WEBHOOK_ENDPOINTS_MAX; i++) {
      await createEndpoint(t.db, keys, { tenantId, input: input({ description: `n${i}` }), now: at(i) });
    }
    const e = await refusal(() => createEndpoint(t.db, keys, { tenantId, input: input(), now: at(30) }));
    expect(e.reason).toBe("too_many_endpoints");
    await createEndpoint(t.db, keys, { tenantId: otherTenant, input: input({ description: "theirs" }), now: at(40) });
    const first = await listEndpointsPage(t.db, keys, { tenantId, limit: 15 });
    expect(first.rows.map((r) => r.description)).toEqual(Array.from({ length: 15 }, (_, i) => `n${19 - i}`));
    const second = await listEndpointsPage(t.db, keys, { tenantId, limit: 15, cursor: first.nextCursor! });
    expect(second.rows.map((r) => r.description)).toEqual(["n4", "n3", "n2", "n1", "n0"]);
    expect(second.nextCursor).toBeNull();
    for (const r of [...first.rows, ...second.rows]) await deleteEndpoint(t.db, { tenantId, id: r.id });
  });

  it("switches an endpoint off and back on: back on clears the reason and the failing streak and kicks the loop", async () => {
    const { id } = await createEndpoint(t.db, keys, { tenantId, input: input(), now: T0 });
    // what the delivery engine writes when it gives up on an endpoint
    await t.db
      .update(webhookEndpoints)
      .set({ enabled: false, failingSince: at(-1440), disabledAt: T0, disabledReason: "Every delivery failed for 24 hours (last: HTTP 500)" })
      .where(eq(webhookEndpoints.id, id));
    expect(await getEndpoint(t.db, keys, { tenantId, id })).toMatchObject({ status: "disabled", disabledReason: expect.stringContaining("24 hours") });
    const before = kicks;
    const back = await updateEndpoint(t.db, keys, { tenantId, id, patch: { enabled: true }, now: at(5) });
    expect(back).toMatchObject({ enabled: true, status: "healthy", failingSince: null, disabledAt: null, disabledReason: null });
    expect(kicks).toBe(before + 1);
    const off = await updateEndpoint(t.db, keys, { tenantId, id, patch: { enabled: false, description: "paused" }, now: at(6) });
    expect(off).toMatchObject({ status: "off", description: "paused", disabledReason: null });
    expect(kicks).toBe(before + 1);
    const e = await refusal(() => updateEndpoint(t.db, keys, { tenantId, id, patch: { url: "https://inside.example.com/x" }, now: at(7) }));
    expect(e.reason).toBe("webhook_url_refused");
    const moved = await updateEndpoint(t.db, keys, { tenantId, id, patch: { url: "https://93.184.216.34/x", eventTypes: ["*"] }, now: at(8) });
    expect(moved).toMatchObject({ url: "https://93.184.216.34/x", eventTypes: ["*"] });
    expect((await refusal(() => updateEndpoint(t.db, keys, { tenantId: otherTenant, id, patch: { enabled: true }, now: at(9) }))).code).toBe("not_found");
    await deleteEndpoint(t.db, { tenantId, id });
  });

  it("rotates the secret: the new one is answered once, the previous one signs for 24 h more", async () => {
    const created = await createEndpoint(t.db, keys, { tenantId, input: input(), now: T0 });
    const rotated = await rotateEndpointSecret(t.db, keys, { tenantId, id: created.id, now: at(10) });
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecretExpiresAt).toEqual(new Date(at(10).getTime() + PREVIOUS_SECRET_VALID_MS));
    const [row] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(decryptSecret(row!.secretEnc, KEY)).toBe(rotated.secret);
    expect(decryptSecret(row!.previousSecretEnc!, KEY)).toBe(created.secret);
    expect((await refusal(() => rotateEndpointSecret(t.db, keys, { tenantId: otherTenant, id: created.id, now: at(11) }))).code).toBe("not_found");
    await deleteEndpoint(t.db, { tenantId, id: created.id });
  });

  it("pages an endpoint's deliveries and attempts, and resends any delivery not being delivered", async () => {
    const { id: endpointId } = await createEndpoint(t.db, keys, { tenantId, input: input({ eventTypes: ["*"] }), now: T0 });
    const events = await t.db
      .insert(outgoingEvents)
      .values([0, 1, 2, 3].map((i) => ({ tenantId, type: "lead.created" as const, sourceKey: `lead-${i}`, data: { i }, occurredAt: at(i), createdAt: at(i) })))
      .returning();
    const statuses = ["succeeded", "failed", "pending", "delivering"] as const;
    const deliveries = await t.db
      .insert(webhookDeliveries)
      .values(
        events.map((e, i) => ({
          tenantId,
          endpointId,
          eventId: e.id,
          orderKey: e.id,
          status: statuses[i]!,
          attempts: 3,
          nextAttemptAt: at(60),
          lastStatusCode: 500,
          createdAt: at(i),
        })),
      )
      .returning();
    await t.db.insert(webhookDeliveryAttempts).values(
      deliveries.map((d, i) => ({
        tenantId,
        deliveryId: d.id,
        endpointId,
        attemptedAt: at(i + 1),
        statusCode: 500,
        latencyMs: 40 + i,
        responseSnippet: "oops",
      })),
    );

    const page1 = await listDeliveriesPage(t.db, { tenantId, endpointId, limit: 3 });
    expect(page1.rows.map((r) => r.status)).toEqual(["delivering", "pending", "failed"]);
    expect(page1.rows[0]).toMatchObject({ eventId: events[3]!.id, eventType: "lead.created", attempts: 3, lastStatusCode: 500 });
    const page2 = await listDeliveriesPage(t.db, { tenantId, endpointId, limit: 3, cursor: page1.nextCursor! });
    expect(page2).toEqual({ rows: [expect.objectContaining({ id: deliveries[0]!.id })], nextCursor: null });
    const attempts = await listAttemptsPage(t.db, { tenantId, endpointId, limit: 2 });
    expect(attempts.rows.map((a) => a.latencyMs)).toEqual([43, 42]);
    expect(attempts.rows[0]).toMatchObject({ deliveryId: deliveries[3]!.id, eventId: events[3]!.id, statusCode: 500, responseSnippet: "oops" });
    expect((await listAttemptsPage(t.db, { tenantId, endpointId, limit: 2, cursor: attempts.nextCursor! })).rows.map((a) => a.latencyMs)).toEqual([41, 40]);
    expect((await refusal(() => listDeliveriesPage(t.db, { tenantId: otherTenant, endpointId, limit: 3 }))).code).toBe("not_found");

    const before = kicks;
    for (const d of deliveries.slice(0, 3)) {
      expect(await resendDelivery(t.db, { tenantId, id: d.id, now: at(20) })).toEqual({ id: d.id, status: "pending", nextAttemptAt: at(20) });
    }
    expect(kicks).toBe(before + 3);
    const [resent] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveries[0]!.id));
    expect(resent).toMatchObject({ status: "pending", attempts: 0, nextAttemptAt: at(20), deliveredAt: null });
    expect((await refusal(() => resendDelivery(t.db, { tenantId, id: deliveries[3]!.id, now: at(20) }))).reason).toBe("delivery_in_progress");
    expect((await refusal(() => resendDelivery(t.db, { tenantId: otherTenant, id: deliveries[0]!.id, now: at(20) }))).code).toBe("not_found");
    await updateEndpoint(t.db, keys, { tenantId, id: endpointId, patch: { enabled: false }, now: at(21) });
    expect((await refusal(() => resendDelivery(t.db, { tenantId, id: deliveries[1]!.id, now: at(22) }))).reason).toBe("endpoint_disabled");

    await deleteEndpoint(t.db, { tenantId, id: endpointId });
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId))).toEqual([]);
    expect((await refusal(() => deleteEndpoint(t.db, { tenantId, id: endpointId }))).code).toBe("not_found");
  });
});
