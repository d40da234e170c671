// The Custom Audience sync end to end: subscribers in the database, the job through the real queue, and a fake
// Graph API on 127.0.0.1 playing /{audience-id}/users (e2e/fakes/fake-graph.ts).
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getAudienceView, listAudiences } from "@/db/queries/audiences";
import { getJobByKey, insertNumber, insertTenant } from "@/db/queries";
import { jobs, metaAudienceMembers, metaAudiences, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, audienceRowKey, graphRateLimit, graphServerError, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { encryptSecret, sha256Hex } from "@/lib/crypto";
import { runJobNow } from "@/lib/jobs/queue";
import { fakeWamid, inboundMessage } from "@/lib/whatsapp/payloads";
import { ingestCloudPayload } from "@/test/ingest-webhook";
import { updateSubscriber } from "@/lib/subscribers/manage";
import { ADS_MANAGEMENT_HINT } from "./errors";
import {
  AUDIENCE_SYNC_JOB,
  type AudienceSyncDeps,
  audienceSyncHandler,
  audienceSyncJobKey,
  AUDIENCE_SEGMENT_DELAY_MS,
  cancelInProcessAudienceRuns,
  enqueueDueAudienceSyncs,
  noteNewSubscribers,
  requestAudienceSync,
} from "./sync";

const encryptionKey = Buffer.alloc(32, 9).toString("base64");
const t0 = new Date("2031-03-01T10:00:00.000Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const HEX64 = /^[a-f0-9]{64}$/;

describe.each(testDrivers)("audience sync (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let deps: AudienceSyncDeps;
  let seq = 0;
  const next = () => ++seq;
  const prefix = kind === "pglite" ? "1555" : "1556";

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    deps = { encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs: 5_000 }, batchSize: 10 };
  });
  afterAll(async () => {
    await graph.close();
    await t.cleanup();
  });

  type Person = { id: string; waPhone: string };
  async function addSubscribers(
    tenantId: string,
    n: number,
    o: { firstSeenAt?: Date; source?: string; email?: (i: number) => string | undefined; status?: "active" | "inactive" } = {},
  ): Promise<Person[]> {
    const rows = Array.from({ length: n }, (_, i) => {
      const email = o.email?.(i);
      return {
        tenantId,
        waPhone: `+${prefix}${String(next()).padStart(7, "0")}`,
        firstSeenAt: o.firstSeenAt ?? at(-60),
        status: o.status ?? "active",
        firstTouchSource: o.source ?? null,
        customFields: email ? { email } : {},
      };
    });
    return t.db.insert(subscribers).values(rows).returning({ id: subscribers.id, waPhone: subscribers.waPhone }) as Promise<Person[]>;
  }

  const phoneDigest = (p: Person) => sha256Hex(p.waPhone.slice(1));

  async function newAudience(tenantId: string, o: { segment?: Record<string, string>; adsManagement?: boolean; enabled?: boolean } = {}) {
    const act = String(7_000 + next());
    const token = `EAAB-ads-${act}`;
    graph.addAdAccount({ id: act, token, adsManagement: o.adsManagement ?? true });
    const metaId = graph.addCustomAudience({ adAccountId: act, name: "WhatsApp subscribers" });
    const [row] = await t.db
      .insert(metaAudiences)
      .values({
        tenantId,
        adAccountId: act,
        audienceId: metaId,
        name: "WhatsApp subscribers",
        accessTokenEnc: encryptSecret(token, encryptionKey),
        segment: o.segment ?? {},
        enabled: o.enabled ?? true,
      })
      .returning();
    return { row: row!, metaId, act };
  }

  const handlers = () => ({ [AUDIENCE_SYNC_JOB]: audienceSyncHandler(t.db, deps) });
  async function sync(tenantId: string, audienceId: string, now: Date, full = false) {
    await requestAudienceSync(t.db, { tenantId, audienceId, now, full }, { runInProcess: false });
    return runJobNow(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(audienceId), handlers: handlers(), now: () => now });
  }
  const uploadsOf = (metaId: string) => graph.audienceUploads.filter((u) => u.audienceId === metaId);
  const membersOf = async (audienceRowId: string) =>
    (await t.db.select().from(metaAudienceMembers).where(eq(metaAudienceMembers.audienceId, audienceRowId))).map((m) => m.subscriberId).sort();

  it("sends every reachable subscriber in batches of normalised SHA-256 rows, only the tenant's own, then nothing twice", async () => {
    const shop = await insertTenant(t.db, { name: `Shop ${next()}` });
    const other = await insertTenant(t.db, { name: `Other ${next()}` });
    const people = await addSubscribers(shop.id, 25, { email: (i) => (i === 0 ? "  Olga.Ivanova@Example.COM " : undefined) });
    const strangers = await addSubscribers(other.id, 5);
    const notReachable = await t.db
      .insert(subscribers)
      .values([
        { tenantId: shop.id, waPhone: `+${prefix}${String(next()).padStart(7, "0")}`, firstSeenAt: at(-60), status: "opted_out" as const },
        { tenantId: shop.id, waPhone: `+${prefix}${String(next()).padStart(7, "0")}`, firstSeenAt: at(-60), status: "blocked" as const },
        { tenantId: shop.id, waPhone: null, userId: `US.${next()}`, firstSeenAt: at(-60) },
      ])
      .returning({ id: subscribers.id });
    const { row, metaId } = await newAudience(shop.id);

    expect(await sync(shop.id, row.id, t0)).toBe("done");
    const uploads = uploadsOf(metaId);
    expect(uploads.map((u) => [u.method, u.rows.length])).toEqual([
      ["POST", 10],
      ["POST", 10],
      ["POST", 5],
    ]);
    for (const u of uploads) {
      expect(u.schema).toEqual(["PHONE", "EMAIL"]);
      for (const [phone, email] of u.rows) {
        expect(phone).toMatch(HEX64);
        expect(email === "" || HEX64.test(email!)).toBe(true);
      }
    }
    const sent = uploads.flatMap((u) => u.rows.map((r) => r[0]));
    expect(new Set(sent)).toEqual(new Set(people.map(phoneDigest)));
    expect(JSON.stringify(uploads)).not.toContain("+");
    // the email from custom fields, trimmed and lowercased before hashing
    const olga = uploads.flatMap((u) => u.rows).find((r) => r[0] === phoneDigest(people[0]!))!;
    expect(olga[1]).toBe(sha256Hex("olga.ivanova@example.com"));
    for (const s of strangers) expect(sent).not.toContain(phoneDigest(s));
    expect(await membersOf(row.id)).toEqual(people.map((p) => p.id).sort());
    expect((await membersOf(row.id)).some((id) => notReachable.some((n) => n.id === id))).toBe(false);
    expect(graph.customAudience(metaId)!.members.size).toBe(25);

    const view = await getAudienceView(t.db, { tenantId: shop.id, id: row.id });
    expect(view).toMatchObject({ syncStatus: "idle", sizeSent: 25, addedTotal: 25, removedTotal: 0, lastError: null, hasOwnToken: true });
    expect(view!.lastFullSyncAt).toEqual(t0);
    expect(view!.syncedThrough).toEqual(t0);
    expect(view).not.toHaveProperty("accessTokenEnc");
    expect(await getAudienceView(t.db, { tenantId: other.id, id: row.id })).toBeNull();
    expect((await listAudiences(t.db, { tenantId: shop.id })).map((a) => a.id)).toEqual([row.id]);

    // "sync now" again: a full walk that finds nobody new sends nothing
    const before = graph.audienceStats.requests;
    expect(await sync(shop.id, row.id, at(5), true)).toBe("done");
    expect(graph.audienceStats.requests).toBe(before);
    expect(await getAudienceView(t.db, { tenantId: shop.id, id: row.id })).toMatchObject({ sizeSent: 25, addedTotal: 25, lastFullSyncAt: at(5) });
  });

  it("adds exactly the new subscribers incrementally, and removes who opted out or was blocked with their digest", async () => {
    const shop = await insertTenant(t.db, { name: `Shop ${next()}` });
    const people = await addSubscribers(shop.id, 12);
    const { row, metaId } = await newAudience(shop.id);
    expect(await sync(shop.id, row.id, t0)).toBe("done");
    expect(uploadsOf(metaId)).toHaveLength(2);

    const newcomers = await addSubscribers(shop.id, 2, { firstSeenAt: at(3) });
    // ingestion's call (no in-process timer here): queues an incremental run a few seconds later
    await noteNewSubscribers(t.db, [shop.id], { now: at(3), runInProcess: false });
    const job = await getJobByKey(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(row.id) });
    expect(job).toMatchObject({ status: "pending", payload: expect.objectContaining({ full: false }) });
    expect(job!.runAt.getTime()).toBe(at(3).getTime() + 3_000);
    expect(await runJobNow(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(row.id), handlers: handlers(), now: () => at(4) })).toBe("done");
    const third = uploadsOf(metaId)[2]!;
    expect(third.method).toBe("POST");
    expect(third.rows.map((r) => r[0]).sort()).toEqual(newcomers.map(phoneDigest).sort());
    expect(uploadsOf(metaId)).toHaveLength(3);
    const view = await getAudienceView(t.db, { tenantId: shop.id, id: row.id });
    expect(view).toMatchObject({ sizeSent: 14, addedTotal: 14, lastFullSyncAt: t0, syncedThrough: at(4) });

    // one opts out, one is blocked
    const [quitter, blocked] = [people[3]!, people[7]!];
    await t.db.update(subscribers).set({ status: "opted_out" }).where(eq(subscribers.id, quitter.id));
    await t.db.update(subscribers).set({ status: "blocked" }).where(eq(subscribers.id, blocked.id));
    expect(await sync(shop.id, row.id, at(10))).toBe("done");
    const removal = uploadsOf(metaId)[3]!;
    expect(removal.method).toBe("DELETE");
    expect(removal.rows.map((r) => r[0]).sort()).toEqual([phoneDigest(quitter), phoneDigest(blocked)].sort());
    expect(uploadsOf(metaId)).toHaveLength(4);
    const members = await membersOf(row.id);
    expect(members).not.toContain(quitter.id);
    expect(members).not.toContain(blocked.id);
    expect(members).toHaveLength(12);
    expect(graph.customAudience(metaId)!.members.has(audienceRowKey([phoneDigest(quitter), ""]))).toBe(false);
    expect(await getAudienceView(t.db, { tenantId: shop.id, id: row.id })).toMatchObject({ sizeSent: 12, addedTotal: 14, removedTotal: 2 });
  });

  it("a segment audience adds only the subscribers its filters match, and a full run takes out who stopped matching", async () => {
    const shop = await insertTenant(t.db, { name: `Shop ${next()}` });
    const fromAds = await addSubscribers(shop.id, 4, { source: "ad" });
    const quietFromAds = await addSubscribers(shop.id, 1, { source: "ad", status: "inactive" });
    await addSubscribers(shop.id, 6, { source: "post" });
    await addSubscribers(shop.id, 3);
    const { row, metaId } = await newAudience(shop.id, { segment: { source: "ad" } });
    expect(await sync(shop.id, row.id, t0)).toBe("done");
    expect(
      uploadsOf(metaId)
        .flatMap((u) => u.rows.map((r) => r[0]))
        .sort(),
    ).toEqual([...fromAds, ...quietFromAds].map(phoneDigest).sort());

    // the audience's segment changes to customers only: the next full run takes the others out
    const customer = fromAds[1]!;
    await t.db.update(subscribers).set({ lifecycleState: "customer" }).where(eq(subscribers.id, customer.id));
    await t.db
      .update(metaAudiences)
      .set({ segment: { lifecycle: "customer" } })
      .where(eq(metaAudiences.id, row.id));
    expect(await sync(shop.id, row.id, at(2), true)).toBe("done");
    const last = uploadsOf(metaId).at(-1)!;
    expect(last.method).toBe("DELETE");
    expect(last.rows).toHaveLength(4);
    expect(last.rows.map((r) => r[0])).not.toContain(phoneDigest(customer));
    expect(await membersOf(row.id)).toEqual([customer.id]);
  });

  it("a rate limit sends the job back to the queue with Meta's words and Retry-After, and the retry finishes without duplicates", async () => {
    const shop = await insertTenant(t.db, { name: `Shop ${next()}` });
    const people = await addSubscribers(shop.id, 25);
    const { row, metaId } = await newAudience(shop.id);
    graph.scriptAudienceUsers("pass", graphRateLimit("user", 120));
    expect(await sync(shop.id, row.id, t0)).toBe("retried");
    const job = await getJobByKey(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(row.id) });
    expect(job!.status).toBe("pending");
    expect(job!.runAt).toEqual(new Date(t0.getTime() + 120_000));
    const failed = await getAudienceView(t.db, { tenantId: shop.id, id: row.id });
    expect(failed!.syncStatus).toBe("error");
    expect(failed!.lastError).toContain("User request limit reached");
    expect(failed!.lastErrorHint).toMatch(/continue by itself/);
    expect(failed!.lastErrorAt).toEqual(t0);
    // the first batch stays: Meta has it and so do the members
    expect(await membersOf(row.id)).toHaveLength(10);

    // a 500 on the next attempt is retried too (the queue's backoff)
    graph.scriptAudienceUsers(graphServerError());
    expect(await runJobNow(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(row.id), handlers: handlers(), now: () => at(2) })).toBe("retried");
    expect(await runJobNow(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(row.id), handlers: handlers(), now: () => at(4) })).toBe("done");
    const sent = uploadsOf(metaId).flatMap((u) => u.rows.map((r) => r[0]));
    expect(sent).toHaveLength(25);
    expect(new Set(sent)).toEqual(new Set(people.map(phoneDigest)));
    expect(await getAudienceView(t.db, { tenantId: shop.id, id: row.id })).toMatchObject({
      syncStatus: "idle",
      sizeSent: 25,
      lastError: null,
      lastErrorHint: null,
      lastErrorAt: null,
    });
  });

  it("a token without ads_management stops with Meta's message and how to grant it, and is not retried", async () => {
    const shop = await insertTenant(t.db, { name: `Shop ${next()}` });
    await addSubscribers(shop.id, 3);
    const { row } = await newAudience(shop.id, { adsManagement: false });
    expect(await sync(shop.id, row.id, t0)).toBe("failed");
    const view = await getAudienceView(t.db, { tenantId: shop.id, id: row.id });
    expect(view!.syncStatus).toBe("error");
    expect(view!.lastError).toContain("(#200) Requires ads_management permission to manage the object");
    expect(view!.lastErrorHint).toBe(ADS_MANAGEMENT_HINT);
    expect(await membersOf(row.id)).toEqual([]);
    expect((await getJobByKey(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(row.id) }))!.status).toBe("failed");
  });

  it("a full request is not lost to a pending incremental one; a disabled audience does nothing; the tick queues due audiences", async () => {
    const shop = await insertTenant(t.db, { name: `Shop ${next()}` });
    await addSubscribers(shop.id, 2);
    const { row } = await newAudience(shop.id);
    const key = audienceSyncJobKey(row.id);
    await requestAudienceSync(t.db, { tenantId: shop.id, audienceId: row.id, now: t0, delayMs: 60_000 }, { runInProcess: false });
    await requestAudienceSync(t.db, { tenantId: shop.id, audienceId: row.id, now: t0, full: true, delayMs: 1_000 }, { runInProcess: false });
    await requestAudienceSync(t.db, { tenantId: shop.id, audienceId: row.id, now: t0, delayMs: 30_000 }, { runInProcess: false });
    const job = await getJobByKey(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: key });
    expect(job!.payload).toMatchObject({ full: true });
    expect(job!.runAt).toEqual(new Date(t0.getTime() + 1_000));

    // a request while a run is in progress makes that run go again when it ends
    await t.db.update(jobs).set({ status: "running" }).where(eq(jobs.id, job!.id));
    await requestAudienceSync(t.db, { tenantId: shop.id, audienceId: row.id, now: t0, full: true }, { runInProcess: false });
    const running = await getJobByKey(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: key });
    expect(running!.status).toBe("running");
    expect(running!.payload).toMatchObject({ next: { full: true } });
    await t.db.update(jobs).set({ status: "pending" }).where(eq(jobs.id, job!.id));

    await t.db.update(metaAudiences).set({ enabled: false }).where(eq(metaAudiences.id, row.id));
    const uploads = graph.audienceStats.requests;
    expect(await runJobNow(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: key, handlers: handlers(), now: () => t0 })).toBe("done");
    expect(graph.audienceStats.requests).toBe(uploads);
    expect(await membersOf(row.id)).toEqual([]);

    await t.db.update(metaAudiences).set({ enabled: true }).where(eq(metaAudiences.id, row.id));
    expect(await enqueueDueAudienceSyncs(t.db, { now: at(1) })).toBeGreaterThanOrEqual(1);
    const due = await t.db
      .select({ status: jobs.status })
      .from(jobs)
      .where(and(eq(jobs.kind, AUDIENCE_SYNC_JOB), inArray(jobs.dedupeKey, [key])));
    expect(due).toEqual([{ status: "pending" }]);
  });

  it("ingestion that creates a subscriber queues an incremental sync of the tenant's audiences a few seconds later", async () => {
    const shop = await insertTenant(t.db, { name: `Shop ${next()}` });
    const n = next();
    const phoneNumberId = `${kind === "pglite" ? 7 : 8}4000000${String(n).padStart(5, "0")}`;
    await insertNumber(t.db, {
      tenantId: shop.id,
      label: `Sales ${n}`,
      phoneE164: `+1555079${String(2000 + n)}`,
      provider: "cloud",
      phoneNumberId,
      wabaId: `WABA-AUD-${kind}-${n}`,
      verifyToken: `verify-${kind}-${n}`,
      active: true,
    });
    const { row } = await newAudience(shop.id);
    const key = audienceSyncJobKey(row.id);
    const now = new Date();
    const payload = inboundMessage(
      { phoneNumberId, displayPhoneNumber: `1555079${2000 + n}`, wabaId: `WABA-AUD-${kind}-${n}` },
      { from: { waId: `${prefix}9${String(n).padStart(6, "0")}`, name: "Maria" }, wamid: fakeWamid(`aud-${kind}-${n}`), at: now, text: "Hi!" },
    );
    expect((await ingestCloudPayload(t.db, payload, now)).summary.processed).toBe(1);
    const job = await vi.waitFor(
      async () => {
        const j = await getJobByKey(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: key });
        expect(j).not.toBeNull();
        return j!;
      },
      { timeout: 2_000 },
    );
    expect(job.status).toBe("pending");
    expect(job.payload).toMatchObject({ tenantId: shop.id, audienceId: row.id, full: false });
    // three seconds after the commit (the wall clock when the batch committed)
    expect(job.runAt.getTime()).toBeGreaterThanOrEqual(now.getTime() + 3_000);
    expect(job.runAt.getTime()).toBeLessThanOrEqual(Date.now() + 3_000);
    // this process's timer would run it in 3 s with the environment's Graph: it was set, and is called off here
    expect(cancelInProcessAudienceRuns()).toBe(1);
  });

  it("a stage change queues one full sync, 30 s later, of the audiences segmented by stage only, which then adds the new customer", async () => {
    const shop = await insertTenant(t.db, { name: `Shop ${next()}` });
    const people = await addSubscribers(shop.id, 3);
    const customers = await newAudience(shop.id, { segment: { lifecycle: "customer" } });
    const everyone = await newAudience(shop.id);
    expect(await sync(shop.id, customers.row.id, t0, true)).toBe("done");
    expect(await sync(shop.id, everyone.row.id, t0, true)).toBe("done");
    expect(await membersOf(customers.row.id)).toEqual([]);

    const now = new Date();
    for (const p of people.slice(0, 2)) {
      await updateSubscriber(t.db, { tenantId: shop.id, id: p.id, patch: { lifecycleState: "customer" }, now });
    }
    // the burst coalesces into one pending full run of the stage audience, due 30 s after the change
    const job = await getJobByKey(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(customers.row.id) });
    expect(job).toMatchObject({ status: "pending", payload: { full: true } });
    expect(job!.runAt.getTime()).toBe(now.getTime() + AUDIENCE_SEGMENT_DELAY_MS);
    expect((await getJobByKey(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(everyone.row.id) }))!.status).toBe("done");
    expect(cancelInProcessAudienceRuns()).toBe(1);

    const due = new Date(now.getTime() + AUDIENCE_SEGMENT_DELAY_MS);
    expect(await runJobNow(t.db, { kind: AUDIENCE_SYNC_JOB, dedupeKey: audienceSyncJobKey(customers.row.id), handlers: handlers(), now: () => due })).toBe(
      "done",
    );
    expect(await membersOf(customers.row.id)).toEqual(
      people
        .slice(0, 2)
        .map((p) => p.id)
        .sort(),
    );
  });
});
