// Settings → Webhooks through its server actions on both drivers, as signed-in browsers (a real Auth.js session
// cookie): only admins act; the secret comes back from adding and rotating only; the domain's refusals (a loopback
// URL, no event types, an unknown one) land on the form's fields; another workspace's endpoint or delivery is not
// found; switching back on clears the reason; resend and delete.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant, insertUser } from "@/db/queries";
import { outgoingEvents, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { decryptSecret } from "@/lib/crypto";
import { setEnvForTests } from "@/lib/env";
import { type Browser, CONSOLE_APP, consoleBrowsers, type RequestState } from "@/test/console-browser";

const current: RequestState & { db?: Db } = { headers: new Headers(), set: [] };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  headers: async () => current.headers,
  cookies: async () => ({ set: (name: string, value: string, options: Record<string, unknown>) => current.set.push({ name, value, options }) }),
}));
// no page cache outside a request
vi.mock("next/cache", async (importOriginal) => ({ ...(await importOriginal<object>()), revalidatePath: () => undefined }));

const SECRET = "webhooks-settings-auth-secret-0123456789";
const KEY = Buffer.alloc(32, 61).toString("base64");
const actions = await import("./actions");
const { act } = consoleBrowsers(current, SECRET);
// a public address written as an IP: saving it needs no DNS
const URL_OK = "https://93.184.216.34/hooks";
const form = (over: Record<string, unknown> = {}) => ({ url: URL_OK, description: "CRM", eventTypes: ["lead.created"], enabled: true, ...over });

describe.each(testDrivers)("Settings → Webhooks actions (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  let tenantId = "";
  let otherEndpoint = "";
  const as: Record<"admin" | "manager" | "otherAdmin", Browser> = { admin: { uid: "" }, manager: { uid: "" }, otherAdmin: { uid: "" } };
  const run = async <T>(b: Browser, action: () => Promise<T>) => (await act(b, action)).result;

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ APP_URL: CONSOLE_APP, AUTH_SECRET: SECRET, ENCRYPTION_KEY: KEY });
    tenantId = (await insertTenant(t.db, { name: "Hooks" })).id;
    for (const role of ["admin", "manager"] as const) {
      as[role] = { uid: (await insertUser(t.db, { tenantId, role, email: `${role}-whs-${kind}@example.com`, name: role, passwordHash: "x" })).id };
    }
    const other = (await insertTenant(t.db, { name: "Other" })).id;
    as.otherAdmin = {
      uid: (await insertUser(t.db, { tenantId: other, role: "admin", email: `other-whs-${kind}@example.com`, name: "o", passwordHash: "x" })).id,
    };
    const theirs = await run(as.otherAdmin, () => actions.createEndpointAction(form()));
    if (!theirs.ok) throw new Error(theirs.error);
    otherEndpoint = theirs.data.endpoint.id;
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  it("adds an endpoint for an admin and answers its secret once; a manager is refused", async () => {
    const added = await run(as.admin, () => actions.createEndpointAction(form({ eventTypes: ["conversion.sent", "lead.created"] })));
    if (!added.ok) throw new Error(added.error);
    expect(added.data.endpoint).toMatchObject({ url: URL_OK, description: "CRM", eventTypes: ["lead.created", "conversion.sent"], status: "healthy" });
    expect(added.data.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(added.data.endpoint)).not.toContain(added.data.secret.slice(6, 30));
    const [row] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, added.data.endpoint.id));
    expect(decryptSecret(row!.secretEnc, KEY)).toBe(added.data.secret);
    expect(await run(as.manager, () => actions.createEndpointAction(form()))).toEqual({ ok: false, error: "This needs the admin role or higher" });
  });

  it("puts refusals on the form's fields: a loopback URL, no event type, an unknown one", async () => {
    const loopback = await run(as.admin, () => actions.createEndpointAction(form({ url: "https://127.0.0.1:8080/in" })));
    expect(loopback).toMatchObject({ ok: false, fieldErrors: { url: [expect.stringContaining("127.0.0.1 is a loopback address")] } });
    const none = await run(as.admin, () => actions.createEndpointAction(form({ eventTypes: [] })));
    expect(none).toMatchObject({ ok: false, fieldErrors: { eventTypes: [expect.any(String)] } });
    const unknown = await run(as.admin, () => actions.createEndpointAction(form({ eventTypes: ["lead.exploded"] })));
    expect(unknown).toMatchObject({ ok: false, fieldErrors: { eventTypes: [expect.any(String)] } });
    const notUrl = await run(as.admin, () => actions.createEndpointAction(form({ url: "crm.example.com" })));
    expect(notUrl).toMatchObject({ ok: false, fieldErrors: { url: ["Enter a full URL, starting with https://"] } });
  });

  it("edits, switches back on after failing, rotates, resends and deletes; never another workspace's", async () => {
    const added = await run(as.admin, () => actions.createEndpointAction(form({ description: "Edit me" })));
    if (!added.ok) throw new Error(added.error);
    const id = added.data.endpoint.id;
    const edited = await run(as.admin, () => actions.updateEndpointAction({ id, ...form({ description: "Billing", eventTypes: ["*"] }) }));
    expect(edited).toMatchObject({ ok: true, data: { description: "Billing", eventTypes: ["*"] } });

    await t.db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledAt: new Date(), failingSince: new Date(0), disabledReason: "Failed for 24 hours" })
      .where(eq(webhookEndpoints.id, id));
    const back = await run(as.admin, () => actions.setEndpointEnabledAction({ id, enabled: true }));
    expect(back).toMatchObject({ ok: true, data: { enabled: true, status: "healthy", disabledReason: null, failingSince: null } });

    const rotated = await run(as.admin, () => actions.rotateEndpointSecretAction({ id }));
    if (!rotated.ok) throw new Error(rotated.error);
    expect(rotated.data.secret).not.toBe(added.data.secret);
    expect(rotated.data.endpoint.previousSecretExpiresAt).toEqual(expect.any(Number));

    const [event] = await t.db
      .insert(outgoingEvents)
      .values({ tenantId, type: "lead.created", sourceKey: "ui-1", data: {}, occurredAt: new Date() })
      .returning();
    const [delivery] = await t.db
      .insert(webhookDeliveries)
      .values({ tenantId, endpointId: id, eventId: event!.id, orderKey: event!.id, status: "failed", attempts: 8 })
      .returning();
    expect(await run(as.admin, () => actions.resendDeliveryAction({ id: delivery!.id, endpointId: id }))).toMatchObject({
      ok: true,
      data: { id: delivery!.id },
    });
    const [requeued] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
    expect(requeued).toMatchObject({ status: "pending", attempts: 0 });
    const notFound = { ok: false, error: "Webhook endpoint not found" };
    expect(await run(as.otherAdmin, () => actions.resendDeliveryAction({ id: delivery!.id, endpointId: id }))).toEqual({
      ok: false,
      error: "Delivery not found",
    });

    expect(await run(as.admin, () => actions.updateEndpointAction({ id: otherEndpoint, ...form() }))).toEqual(notFound);
    expect(await run(as.admin, () => actions.setEndpointEnabledAction({ id: otherEndpoint, enabled: false }))).toEqual(notFound);
    expect(await run(as.admin, () => actions.rotateEndpointSecretAction({ id: otherEndpoint }))).toEqual(notFound);
    expect(await run(as.admin, () => actions.deleteEndpointAction({ id: otherEndpoint }))).toEqual(notFound);

    expect(await run(as.admin, () => actions.deleteEndpointAction({ id }))).toEqual({ ok: true, data: null });
    expect(await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id))).toEqual([]);
    expect(await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, otherEndpoint))).toHaveLength(1);
  });
});
