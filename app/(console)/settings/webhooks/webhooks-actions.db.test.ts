// Settings → Webhooks through its server actions on both drivers, as signed-in browsers (a real Auth.js session
// cookie): only admins act; the secret comes back from adding and rotating only; the domain's refusals (a loopback
// URL, no event types, an unknown one) land on the form's fields; another workspace's endpoint or delivery is not
// found; switching back on clears the reason; resend and delete.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { insertTenant, insertUser } from "@/db/queries";
import { outgoingEvents, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { testDrivers } from "@/db/testing";
import { decryptSecret } from "@/lib/crypto";
import { signedInWorkspace } from "@/test/console-actions";
import type { Browser } from "@/test/console-browser";

const SECRET = "webhooks-settings-auth-secret-0123456789";
const KEY = Buffer.alloc(32, 61).toString("base64");
const actions = await import("./actions");
// a public address written as an IP: saving it needs no DNS
const URL_OK = "https://93.184.216.34/hooks";
const form = (over: Record<string, unknown> = {}) => ({ url: URL_OK, description: "CRM", eventTypes: ["lead.created"], enabled: true, ...over });

describe.each(testDrivers)("Settings → Webhooks actions (%s)", (kind) => {
  const w = signedInWorkspace(kind, { secret: SECRET, encryptionKey: KEY, workspace: "Hooks", roles: ["admin", "manager"], emailTag: "whs" });
  const { as, run } = w;
  let otherAdmin: Browser = { uid: "" }; // the admin of another workspace
  let otherEndpoint = "";

  beforeAll(async () => {
    const other = (await insertTenant(w.t.db, { name: "Other" })).id;
    otherAdmin = {
      uid: (await insertUser(w.t.db, { tenantId: other, role: "admin", email: `other-whs-${kind}@example.com`, name: "o", passwordHash: "x" })).id,
    };
    const theirs = await run(otherAdmin, () => actions.createEndpointAction(form()));
    if (!theirs.ok) throw new Error(theirs.error);
    otherEndpoint = theirs.data.endpoint.id;
  });

  it("adds an endpoint for an admin and answers its secret once; a manager is refused", async () => {
    const added = await run(as.admin, () => actions.createEndpointAction(form({ eventTypes: ["conversion.sent", "lead.created"] })));
    if (!added.ok) throw new Error(added.error);
    expect(added.data.endpoint).toMatchObject({ url: URL_OK, description: "CRM", eventTypes: ["lead.created", "conversion.sent"], status: "healthy" });
    expect(added.data.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(added.data.endpoint)).not.toContain(added.data.secret.slice(6, 30));
    const [row] = await w.t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, added.data.endpoint.id));
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

    await w.t.db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledAt: new Date(), failingSince: new Date(0), disabledReason: "Failed for 24 hours" })
      .where(eq(webhookEndpoints.id, id));
    const back = await run(as.admin, () => actions.setEndpointEnabledAction({ id, enabled: true }));
    expect(back).toMatchObject({ ok: true, data: { enabled: true, status: "healthy", disabledReason: null, failingSince: null } });

    const rotated = await run(as.admin, () => actions.rotateEndpointSecretAction({ id }));
    if (!rotated.ok) throw new Error(rotated.error);
    expect(rotated.data.secret).not.toBe(added.data.secret);
    expect(rotated.data.endpoint.previousSecretExpiresAt).toEqual(expect.any(Number));

    const [event] = await w.t.db
      .insert(outgoingEvents)
      .values({ tenantId: w.tenantId, type: "lead.created", sourceKey: "ui-1", data: {}, occurredAt: new Date() })
      .returning();
    const [delivery] = await w.t.db
      .insert(webhookDeliveries)
      .values({ tenantId: w.tenantId, endpointId: id, eventId: event!.id, orderKey: event!.id, status: "failed", attempts: 8 })
      .returning();
    expect(await run(as.admin, () => actions.resendDeliveryAction({ id: delivery!.id, endpointId: id }))).toMatchObject({
      ok: true,
      data: { id: delivery!.id },
    });
    const [requeued] = await w.t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
    expect(requeued).toMatchObject({ status: "pending", attempts: 0 });
    const notFound = { ok: false, error: "Webhook endpoint not found" };
    expect(await run(otherAdmin, () => actions.resendDeliveryAction({ id: delivery!.id, endpointId: id }))).toEqual({
      ok: false,
      error: "Delivery not found",
    });

    expect(await run(as.admin, () => actions.updateEndpointAction({ id: otherEndpoint, ...form() }))).toEqual(notFound);
    expect(await run(as.admin, () => actions.setEndpointEnabledAction({ id: otherEndpoint, enabled: false }))).toEqual(notFound);
    expect(await run(as.admin, () => actions.rotateEndpointSecretAction({ id: otherEndpoint }))).toEqual(notFound);
    expect(await run(as.admin, () => actions.deleteEndpointAction({ id: otherEndpoint }))).toEqual(notFound);

    expect(await run(as.admin, () => actions.deleteEndpointAction({ id }))).toEqual({ ok: true, data: null });
    expect(await w.t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id))).toEqual([]);
    expect(await w.t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, otherEndpoint))).toHaveLength(1);
  });
});
