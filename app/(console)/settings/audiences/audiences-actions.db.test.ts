// Settings → Audiences through its server actions on both drivers, as signed-in browsers against the fake Graph API:
// only admins act; a token without ads_management is explained; connecting answers no token and its first sync runs
// in the server's process; a segment that is not one lands on the form; Sync now, the switch, disconnect; another
// workspace's audience is not found.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant, insertUser } from "@/db/queries";
import { metaAudiences } from "@/db/schema";
import { testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { setEnvForTests } from "@/lib/env";
import { CONSOLE_APP } from "@/test/console-browser";
import { signedInWorkspace } from "@/test/console-actions";
import type { Browser } from "@/test/console-browser";

const SECRET = "audiences-settings-auth-secret-0123456789";
const KEY = Buffer.alloc(32, 71).toString("base64");
const TOKEN = "EAAG-audiences-actions-system-user-token";
const NO_ADS = "EAAG-audiences-actions-no-ads-management";
const actions = await import("./actions");

describe.each(testDrivers)("Settings → Audiences actions (%s)", (kind) => {
  const w = signedInWorkspace(kind, { secret: SECRET, encryptionKey: KEY, workspace: "Audiences", roles: ["admin", "manager"], emailTag: "aud" });
  const { as, run } = w;
  const act = kind === "pglite" ? "8100001" : "8100002";
  const noAdsAct = kind === "pglite" ? "8200001" : "8200002";
  let graph: FakeGraph;
  let restoreEnv = () => {};
  let otherAdmin: Browser = { uid: "" };

  beforeAll(async () => {
    graph = await startFakeGraph();
    restoreEnv = setEnvForTests({ APP_URL: CONSOLE_APP, AUTH_SECRET: SECRET, ENCRYPTION_KEY: KEY, GRAPH_API_BASE: graph.url });
    graph.addAdAccount({ id: act, token: TOKEN });
    graph.addAdAccount({ id: noAdsAct, token: NO_ADS, adsManagement: false });
    graph.addCustomAudience({ adAccountId: act, name: "Website visitors" });
    const other = (await insertTenant(w.t.db, { name: "Other" })).id;
    otherAdmin = {
      uid: (await insertUser(w.t.db, { tenantId: other, role: "admin", email: `other-aud-${kind}@example.com`, name: "o", passwordHash: "x" })).id,
    };
  });
  afterAll(async () => {
    restoreEnv();
    await graph.close();
  });

  const connectInput = (over: Record<string, unknown> = {}) =>
    ({ adAccountId: `act_${act}`, tokenSource: "token", accessToken: TOKEN, audience: "new", name: "All WhatsApp Users", segment: {}, ...over }) as Parameters<
      typeof actions.connectAudienceAction
    >[0];

  it("loads the ad account's audiences for an admin; a manager is refused; a missing ads_management is explained", async () => {
    const loaded = await run(as.admin, () => actions.loadAudiencesAction({ adAccountId: act, tokenSource: "token", accessToken: TOKEN }));
    expect(loaded).toMatchObject({ ok: true, data: { adAccountId: act, audiences: [{ name: "Website visitors" }] } });
    expect(await run(as.manager, () => actions.loadAudiencesAction({ adAccountId: act, tokenSource: "token", accessToken: TOKEN }))).toEqual({
      ok: false,
      error: "This needs the admin role or higher",
    });
    const refused = await run(as.admin, () => actions.loadAudiencesAction({ adAccountId: noAdsAct, tokenSource: "token", accessToken: NO_ADS }));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error).toMatch(/^The access token needs the ads_management permission on this ad account\./);
    expect(refused.error).toContain("(#200) Requires ads_management permission");
    const bad = await run(as.admin, () => actions.loadAudiencesAction({ adAccountId: "acct-1", tokenSource: "number", numberId: "" }));
    expect(bad).toMatchObject({ ok: false, fieldErrors: { adAccountId: [expect.any(String)], numberId: ["Choose a Cloud API number"] } });
  });

  it("connects without answering the token, runs the first sync in process, and takes Sync now, the switch and disconnect", async () => {
    const connected = await run(as.admin, () => actions.connectAudienceAction(connectInput({ segment: { lifecycle: "customer", window: "" } })));
    if (!connected.ok) throw new Error(connected.error);
    expect(connected.data).toMatchObject({
      name: "All WhatsApp Users",
      adAccountId: act,
      tokenSource: "token",
      segment: { lifecycle: "customer" },
      enabled: true,
    });
    expect(JSON.stringify(connected.data)).not.toContain(TOKEN);
    const id = connected.data.id;
    const row = async () => (await w.t.db.select().from(metaAudiences).where(eq(metaAudiences.id, id)))[0]!;
    // the first full sync ran in this process against the fake (no customers yet: nothing to send, but synced)
    await expect.poll(async () => (await row()).lastFullSyncAt !== null && (await row()).syncStatus === "idle", { timeout: 10_000 }).toBe(true);

    const twice = await run(as.admin, () => actions.connectAudienceAction(connectInput({ audience: "existing", audienceId: connected.data.audienceId })));
    expect(twice).toMatchObject({ ok: false, error: expect.stringContaining("already connected") });

    const notSegment = await run(as.admin, () => actions.updateAudienceAction({ id, name: "All", segment: { q: "anna" } }));
    expect(notSegment).toMatchObject({ ok: false, fieldErrors: { segment: [expect.stringContaining("not a segment")] } });

    const pressed = await run(as.admin, () => actions.syncAudienceNowAction({ id }));
    expect(pressed).toMatchObject({ ok: true, data: { syncStatus: "syncing" } });
    await expect.poll(async () => (await row()).syncStatus, { timeout: 10_000 }).toBe("idle");

    expect(await run(as.admin, () => actions.setAudienceEnabledAction({ id, enabled: false }))).toMatchObject({ ok: true, data: { enabled: false } });
    expect(await run(as.admin, () => actions.syncAudienceNowAction({ id }))).toMatchObject({ ok: false, error: expect.stringContaining("switched off") });

    // another workspace's admin finds nothing
    expect(await run(otherAdmin, () => actions.syncAudienceNowAction({ id }))).toEqual({ ok: false, error: "Audience not found" });
    expect(await run(otherAdmin, () => actions.disconnectAudienceAction({ id }))).toEqual({ ok: false, error: "Audience not found" });
    expect(await run(as.manager, () => actions.disconnectAudienceAction({ id }))).toMatchObject({ ok: false });

    expect(await run(as.admin, () => actions.disconnectAudienceAction({ id }))).toEqual({
      ok: true,
      data: { name: "All WhatsApp Users", audienceId: connected.data.audienceId },
    });
    expect(graph.customAudience(connected.data.audienceId)).toBeDefined();
  });
});
