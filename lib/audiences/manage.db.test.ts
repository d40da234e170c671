// The admins' audience operations on both drivers against the fake Graph API on loopback: segments as the list's
// filters, loading an ad account's audiences, connecting (picked or created as a customer list; the token sealed and
// never answered; one row per workspace and audience), the missing ads_management explained, editing, switching,
// "Sync now" and disconnecting (Meta's audience stays); and one connect followed through the real in-process sync
// to the hashed phones the fake received.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { jobs, metaAudiences, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { audienceRowKey, type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { decryptSecret, sha256Hex } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { ADS_MANAGEMENT_HINT } from "./errors";
import {
  type AudienceManageDeps,
  connectAudience,
  disconnectAudience,
  fetchAdAccountAudiences,
  getManagedAudience,
  summarizeAudiences,
  syncAudienceNow,
  updateAudience,
} from "./manage";
import { audienceSegmentSchema, type ConnectAudienceInput, connectAudienceInputSchema } from "./manage-input";
import { AUDIENCE_SYNC_JOB, audienceSyncJobKey } from "./sync";

const encryptionKey = Buffer.alloc(32, 23).toString("base64");
const now = new Date("2026-12-07T10:00:00Z");
const NUMBER_TOKEN = "EAAG-number-token-with-ads-management";
const PASTED_TOKEN = "EAAG-pasted-system-user-token-0001";
const NO_ADS_TOKEN = "EAAG-token-without-ads-management-01";
const noRun = { runInProcess: false } as const;

async function caught(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe("audience segments", () => {
  it("keeps only the set filters of the subscriber list; {} is everyone reachable", () => {
    expect(audienceSegmentSchema.parse({})).toEqual({});
    expect(audienceSegmentSchema.parse({ lifecycle: "customer", source: "ad", clickId: "yes", window: "", campaign: " " })).toEqual({
      lifecycle: "customer",
      source: "ad",
      clickId: "yes",
    });
  });

  it("refuses a search, a sort, one person, an unknown filter, a bad value, and opted-out or blocked people", () => {
    for (const key of ["q", "sort", "waPhone", "userId"]) {
      const r = audienceSegmentSchema.safeParse({ [key]: key === "sort" ? "first_seen" : key === "waPhone" ? "+15550001111" : "anna" });
      expect(r.success, key).toBe(false);
      expect(r.error!.issues.map((i) => i.path[0])).toContain(key);
    }
    expect(audienceSegmentSchema.safeParse({ colour: "red" }).success).toBe(false);
    expect(audienceSegmentSchema.safeParse({ lifecycle: "vip" }).success).toBe(false);
    expect(audienceSegmentSchema.safeParse({ status: "opted_out" }).success).toBe(false);
    expect(audienceSegmentSchema.safeParse({ status: "blocked" }).success).toBe(false);
    expect(audienceSegmentSchema.safeParse({ status: "inactive" }).success).toBe(true);
  });

  it("takes an ad account id with or without act_, and nothing else", () => {
    const base = { tokenSource: "token", accessToken: PASTED_TOKEN, audience: "new", name: "All" } as const;
    expect(connectAudienceInputSchema.parse({ ...base, adAccountId: " act_1234567890 " }).adAccountId).toBe("1234567890");
    expect(connectAudienceInputSchema.parse({ ...base, adAccountId: "1234567890" }).adAccountId).toBe("1234567890");
    expect(connectAudienceInputSchema.safeParse({ ...base, adAccountId: "act_12ab" }).success).toBe(false);
    expect(connectAudienceInputSchema.safeParse({ ...base, adAccountId: "1", audience: "new", name: "" }).error!.issues[0]!.path).toEqual(["name"]);
    expect(connectAudienceInputSchema.safeParse({ ...base, adAccountId: "1", tokenSource: "number" }).error!.issues[0]!.path).toEqual(["numberId"]);
  });
});

describe.each(testDrivers)("audience management (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let deps: AudienceManageDeps;
  let tenantId: string;
  let otherTenant: string;
  let numberId: string;
  const act = kind === "pglite" ? "7000001" : "7000002"; // the number's token, ads_management
  const pastedAct = kind === "pglite" ? "7100001" : "7100002"; // a pasted system user token
  const noAdsAct = kind === "pglite" ? "7200001" : "7200002"; // a token without ads_management

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    const graphConfig = { base: graph.url, version: "v24.0", timeoutMs: 5_000 };
    deps = { encryptionKey, graph: graphConfig, sync: noRun };
    tenantId = (await insertTenant(t.db, { name: "Audiences" })).id;
    otherTenant = (await insertTenant(t.db, { name: "Elsewhere" })).id;
    const number = await createNumber(
      t.db,
      { encryptionKey, appUrl: "http://localhost:3000" },
      {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Sales",
          phoneE164: kind === "pglite" ? "+15550783001" : "+15550783002",
          phoneNumberId: kind === "pglite" ? "106540352249001" : "106540352249002",
          wabaId: "102290129340398",
          accessToken: NUMBER_TOKEN,
          appSecret: "s3cret",
        }),
      },
    );
    numberId = number.id;
    graph.addAdAccount({ id: act, token: NUMBER_TOKEN });
    graph.addAdAccount({ id: pastedAct, token: PASTED_TOKEN });
    graph.addAdAccount({ id: noAdsAct, token: NO_ADS_TOKEN, adsManagement: false });
    graph.addCustomAudience({ adAccountId: act, id: `${act}01`, name: "Website visitors" });
    graph.addCustomAudience({ adAccountId: act, id: `${act}02`, name: "Past buyers" });
  });
  afterAll(async () => {
    await graph.close();
    await t.cleanup();
  });

  const syncJob = async (audienceRowId: string) =>
    (
      await t.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.kind, AUDIENCE_SYNC_JOB), eq(jobs.dedupeKey, audienceSyncJobKey(audienceRowId))))
    )[0];
  const connect = (input: Partial<ConnectAudienceInput>, tenant = tenantId) =>
    connectAudience(t.db, deps, {
      tenantId: tenant,
      now,
      input: { adAccountId: `act_${act}`, tokenSource: "number", numberId, audience: "new", name: "All WhatsApp Users", ...input } as ConnectAudienceInput,
    });

  it("loads an ad account's audiences with a Cloud number's token", async () => {
    const loaded = await fetchAdAccountAudiences(t.db, deps, { tenantId, input: { adAccountId: `act_${act}`, tokenSource: "number", numberId } });
    expect(loaded.adAccountId).toBe(act);
    expect(loaded.audiences.map((a) => a.name)).toEqual(["Website visitors", "Past buyers"]);
    expect(loaded.audiences[0]).toMatchObject({ id: `${act}01`, subtype: "CUSTOM", status: "Normal", approximateCount: { lower: 0, upper: 0 } });
  });

  it("follows Meta's pages: an account with 450 audiences lists them all, and the 420th can be picked", async () => {
    const big = kind === "pglite" ? "7300001" : "7300002";
    graph.addAdAccount({ id: big, token: PASTED_TOKEN });
    for (let i = 1; i <= 450; i++) graph.addCustomAudience({ adAccountId: big, id: `${big}${String(i).padStart(4, "0")}`, name: `Audience ${i}` });
    const loaded = await fetchAdAccountAudiences(t.db, deps, { tenantId, input: { adAccountId: big, tokenSource: "token", accessToken: PASTED_TOKEN } });
    expect(loaded.audiences).toHaveLength(450);
    expect(new Set(loaded.audiences.map((a) => a.id)).size).toBe(450);
    const picked = await connect({
      adAccountId: big,
      tokenSource: "token",
      accessToken: PASTED_TOKEN,
      audience: "existing",
      audienceId: `${big}0420`,
      name: "",
    });
    expect(picked).toMatchObject({ audienceId: `${big}0420`, name: "Audience 420" });
  });

  it("explains a token without ads_management, with Meta's words kept", async () => {
    const e = await caught(
      fetchAdAccountAudiences(t.db, deps, { tenantId, input: { adAccountId: noAdsAct, tokenSource: "token", accessToken: NO_ADS_TOKEN } }),
    );
    expect(e.code).toBe("provider_error");
    expect(e.message).toContain(ADS_MANAGEMENT_HINT);
    expect(e.message).toContain("(#200) Requires ads_management permission");
    // nothing was stored on the way
    expect(await t.db.select().from(metaAudiences).where(eq(metaAudiences.adAccountId, noAdsAct))).toEqual([]);
  });

  it("refuses another workspace's number, and explains a token the ad account does not take", async () => {
    const theirs = await caught(fetchAdAccountAudiences(t.db, deps, { tenantId: otherTenant, input: { adAccountId: act, tokenSource: "number", numberId } }));
    expect(theirs).toMatchObject({ code: "unprocessable", details: { fieldErrors: { numberId: ["That number is not in this workspace"] } } });
    const wrongToken = await caught(
      fetchAdAccountAudiences(t.db, deps, { tenantId, input: { adAccountId: act, tokenSource: "token", accessToken: PASTED_TOKEN } }),
    );
    expect(wrongToken.message).toContain("expired or was revoked");
  });

  it("creates a customer-list audience at Meta, stores it with its segment and queues a full sync", async () => {
    const created = await connect({ segment: { source: "ad", lifecycle: "" }, description: "Everyone from ads" });
    const meta = graph.customAudience(created.audienceId)!;
    expect(meta).toMatchObject({
      adAccountId: act,
      name: "All WhatsApp Users",
      subtype: "CUSTOM",
      customerFileSource: "USER_PROVIDED_ONLY",
      description: "Everyone from ads",
    });
    expect(created).toMatchObject({
      tenantId,
      adAccountId: act,
      numberId,
      name: "All WhatsApp Users",
      segment: { source: "ad" },
      enabled: true,
      hasOwnToken: false,
    });
    expect(created).not.toHaveProperty("accessTokenEnc");
    const job = await syncJob(created.id);
    expect(job).toMatchObject({ status: "pending", tenantId, payload: expect.objectContaining({ audienceId: created.id, full: true }) });
  });

  it("connects a picked audience with a pasted token, sealed and never answered; the same audience twice is a conflict", async () => {
    graph.addCustomAudience({ adAccountId: pastedAct, id: `${pastedAct}09`, name: "Leads 2026" });
    const input = {
      adAccountId: pastedAct,
      tokenSource: "token",
      accessToken: PASTED_TOKEN,
      audience: "existing",
      audienceId: `${pastedAct}09`,
      name: "",
    } as const;
    const picked = await connect(input);
    expect(picked).toMatchObject({ audienceId: `${pastedAct}09`, name: "Leads 2026", numberId: null, hasOwnToken: true, segment: {} });
    expect(JSON.stringify(picked)).not.toContain(PASTED_TOKEN);
    const [row] = await t.db.select().from(metaAudiences).where(eq(metaAudiences.id, picked.id));
    expect(row!.accessTokenEnc).not.toContain(PASTED_TOKEN);
    expect(decryptSecret(row!.accessTokenEnc!, encryptionKey)).toBe(PASTED_TOKEN);

    const again = await caught(connect(input));
    expect(again.code).toBe("conflict");
    expect(again.message).toContain("already connected");
    // another workspace may connect the same Meta audience
    const theirs = await connect(input, otherTenant);
    expect(theirs.tenantId).toBe(otherTenant);

    const missing = await caught(connect({ ...input, audienceId: "999999" }));
    expect(missing).toMatchObject({ code: "unprocessable", details: { fieldErrors: { audienceId: [expect.stringContaining("is not in ad account")] } } });
  });

  it("refuses a segment that is not one before calling Meta", async () => {
    await expect(connect({ name: "Searchers", segment: { q: "anna" } })).rejects.toThrow(/not a segment/);
    const rows = await t.db
      .select()
      .from(metaAudiences)
      .where(and(eq(metaAudiences.tenantId, tenantId), eq(metaAudiences.name, "Searchers")));
    expect(rows).toEqual([]);
  });

  it("renames without a sync, queues a full one for a new segment or when switched on, refuses Sync now while off", async () => {
    const a = await connect({ name: "Customers", segment: { lifecycle: "customer" } });
    await t.db.delete(jobs).where(eq(jobs.dedupeKey, audienceSyncJobKey(a.id)));

    const renamed = await updateAudience(t.db, { tenantId, id: a.id, patch: { name: "Customers (WA)" }, now }, noRun);
    expect(renamed.name).toBe("Customers (WA)");
    expect(graph.customAudience(a.audienceId)!.name).toBe("Customers"); // our label only
    expect(await syncJob(a.id)).toBeUndefined();

    const same = await updateAudience(t.db, { tenantId, id: a.id, patch: { segment: { lifecycle: "customer" } }, now }, noRun);
    expect(same.segment).toEqual({ lifecycle: "customer" });
    expect(await syncJob(a.id)).toBeUndefined();

    await updateAudience(t.db, { tenantId, id: a.id, patch: { segment: { lifecycle: "repeat_customer", window: "open" } }, now }, noRun);
    expect(await syncJob(a.id)).toMatchObject({ status: "pending", payload: expect.objectContaining({ full: true }) });
    await t.db.delete(jobs).where(eq(jobs.dedupeKey, audienceSyncJobKey(a.id)));

    const off = await updateAudience(t.db, { tenantId, id: a.id, patch: { enabled: false }, now }, noRun);
    expect(off.enabled).toBe(false);
    expect(await syncJob(a.id)).toBeUndefined();
    expect((await caught(syncAudienceNow(t.db, { tenantId, id: a.id, now }, noRun))).code).toBe("conflict");

    await updateAudience(t.db, { tenantId, id: a.id, patch: { enabled: true }, now }, noRun);
    expect(await syncJob(a.id)).toMatchObject({ status: "pending", payload: expect.objectContaining({ full: true }) });

    await expect(updateAudience(t.db, { tenantId, id: a.id, patch: { segment: { sort: "first_seen" } }, now }, noRun)).rejects.toThrow(/not a segment/);
    expect((await getManagedAudience(t.db, { tenantId, id: a.id })).segment).toEqual({ lifecycle: "repeat_customer", window: "open" });
  });

  it("Sync now shows the audience as syncing and queues a full sync; never another workspace's audience", async () => {
    const a = await connect({ name: "Sync me" });
    await t.db.delete(jobs).where(eq(jobs.dedupeKey, audienceSyncJobKey(a.id)));
    const pressed = await syncAudienceNow(t.db, { tenantId, id: a.id, now }, noRun);
    expect(pressed.syncStatus).toBe("syncing");
    expect((await getManagedAudience(t.db, { tenantId, id: a.id })).syncStatus).toBe("syncing");
    expect(await syncJob(a.id)).toMatchObject({ status: "pending", payload: expect.objectContaining({ full: true }) });

    expect((await caught(syncAudienceNow(t.db, { tenantId: otherTenant, id: a.id, now }, noRun))).code).toBe("not_found");
    expect((await caught(updateAudience(t.db, { tenantId: otherTenant, id: a.id, patch: { enabled: false }, now }, noRun))).code).toBe("not_found");
    expect((await caught(disconnectAudience(t.db, { tenantId: otherTenant, id: a.id }))).code).toBe("not_found");
  });

  it("disconnects: our row goes, Meta's audience stays", async () => {
    const a = await connect({ name: "Short-lived" });
    const gone = await disconnectAudience(t.db, { tenantId, id: a.id });
    expect(gone).toEqual({ name: "Short-lived", audienceId: a.audienceId });
    expect(await t.db.select().from(metaAudiences).where(eq(metaAudiences.id, a.id))).toEqual([]);
    expect(graph.customAudience(a.audienceId)).toBeDefined();
    expect((await caught(disconnectAudience(t.db, { tenantId, id: a.id }))).code).toBe("not_found");
  });

  it("summarises the workspace's audiences for Settings", async () => {
    const before = await summarizeAudiences(t.db, { tenantId });
    const a = await connect({ name: "Failing" });
    await t.db.update(metaAudiences).set({ syncStatus: "error", lastError: "x" }).where(eq(metaAudiences.id, a.id));
    expect(await summarizeAudiences(t.db, { tenantId })).toEqual({ total: before.total + 1, failing: before.failing + 1 });
  });

  it("a connect runs its first full sync in this process: the fake receives the reachable subscribers' hashed phones", async () => {
    const tenant = (await insertTenant(t.db, { name: "Synced" })).id;
    const phones = ["+15550991001", "+15550991002", "+15550991003"];
    await t.db
      .insert(subscribers)
      .values([
        ...phones.map((waPhone, i) => ({ tenantId: tenant, waPhone, waId: waPhone.slice(1), firstSeenAt: new Date(now.getTime() - (i + 1) * 60_000) })),
        { tenantId: tenant, waPhone: "+15550991009", waId: "15550991009", firstSeenAt: now, status: "opted_out" as const },
      ]);
    const syncDeps = { encryptionKey, graph: deps.graph };
    const a = await connectAudience(
      t.db,
      { ...deps, sync: { deps: syncDeps } },
      {
        tenantId: tenant,
        now,
        input: { adAccountId: pastedAct, tokenSource: "token", accessToken: PASTED_TOKEN, audience: "new", name: "All WhatsApp Users" },
      },
    );
    await expect
      .poll(
        async () => {
          const row = await getManagedAudience(t.db, { tenantId: tenant, id: a.id });
          return { sizeSent: row.sizeSent, syncStatus: row.syncStatus, synced: row.lastSyncedAt !== null };
        },
        { timeout: 10_000 },
      )
      .toEqual({ sizeSent: 3, syncStatus: "idle", synced: true });
    const members = graph.customAudience(a.audienceId)!.members;
    expect(members).toEqual(new Set(phones.map((p) => audienceRowKey([sha256Hex(p.slice(1)), ""]))));
    const synced = await getManagedAudience(t.db, { tenantId: tenant, id: a.id });
    expect(synced).toMatchObject({ syncStatus: "idle", addedTotal: 3, lastError: null });
    expect(synced.lastFullSyncAt).not.toBeNull();
  });
});
