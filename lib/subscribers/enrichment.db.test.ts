// Ad enrichment end to end: Meta webhooks through ingestion, the job through the real queue, and a fake
// Graph API on 127.0.0.1 answering GET /{ad-id}.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJobByKey, getSubscriberByWaPhone, insertTenant, listSubscriberPage } from "@/db/queries";
import { ads, conversations, jobs } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { drainJobs } from "@/lib/jobs/queue";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { type PayloadNumber, fakeWamid, inboundMessage } from "@/lib/whatsapp/payloads";
import { isTransientGraphFailure } from "@/lib/graph/client";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { AD_ENRICHMENT_JOB, AD_FIELDS, adEnrichmentHandler, type EnrichmentDeps, listAdEnrichments, retryAdEnrichment } from "./enrichment";

const encryptionKey = Buffer.alloc(32, 7).toString("base64");
const keys = { encryptionKey, appUrl: "http://localhost:3000" };
const now = new Date("2031-01-01T00:00:00.000Z");
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const TOKEN = "EAAG-ads-token";

describe.each(testDrivers)("ad enrichment (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let deps: EnrichmentDeps;
  let seq = 0;
  const next = () => (seq += 1);

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    deps = { encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs: 2_000 } };
  });
  afterAll(async () => {
    await graph.close();
    await t.cleanup();
  });

  type Shop = { tenantId: string; numberId: string; n: PayloadNumber };

  async function shop(opts: { token?: string; tenantId?: string } = {}): Promise<Shop> {
    const tenantId = opts.tenantId ?? (await insertTenant(t.db, { name: `Shop ${next()}` })).id;
    const s = next();
    const phoneNumberId = `${kind === "pglite" ? 3 : 4}0654035224${String(s).padStart(4, "0")}`;
    const number = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "cloud",
        label: `Sales ${s}`,
        phoneE164: `+1555078${String(3800 + s)}`,
        phoneNumberId,
        wabaId: "102290129340398",
        accessToken: opts.token ?? TOKEN,
        appSecret: "s3cret",
      }),
    });
    return { tenantId, numberId: number.id, n: { phoneNumberId, displayPhoneNumber: number.phoneE164.slice(1), wabaId: "102290129340398" } };
  }

  const newAdId = () => `1202263058${String(next()).padStart(8, "0")}`;
  const newSender = () => `1650555${String(next()).padStart(4, "0")}`;

  function fakeAd(id: string, token = TOKEN) {
    const s = next();
    const ad = {
      id,
      token,
      name: `Succulents – carousel ${s}`,
      adset: { id: `2385${s}`, name: `Moscow 25–45 ${s}` },
      campaign: { id: `2384${s}`, name: `Summer sale ${s}` },
      creative: { id: `2386${s}`, name: `Creative ${s}` },
    };
    graph.addAd(ad);
    return ad;
  }

  /** One Meta webhook with one message (an ad click when `adId` is given), stored and processed. */
  async function receive(s: Shop, { from, adId, at }: { from: string; adId?: string; at: Date }) {
    const wamid = fakeWamid(`${kind}-${next()}`);
    const referral = adId
      ? {
          sourceUrl: `https://fb.me/${adId}`,
          sourceId: adId,
          sourceType: "ad" as const,
          headline: "Chat with us",
          body: "Summer Succulents are here!",
          mediaType: "image" as const,
          mediaUrl: "https://scontent.xx.fbcdn.net/v/t45.1",
          ctwaClid: `Aff-CLID-${next()}`,
        }
      : undefined;
    const rawBody = JSON.stringify(inboundMessage(s.n, { from: { waId: from, name: "Ana" }, wamid, at, text: "Hi! Is it still available?", referral }));
    const event = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody,
      signatureResult: "valid",
      routedPhoneNumberIds: [s.n.phoneNumberId],
      receivedAt: at,
    });
    const summary = await processWebhookEvents(t.db, { ids: [event.id], now });
    expect(summary.processed).toBe(1);
    return subscriber(s, from);
  }

  const subscriber = async (s: Shop, from: string) => (await getSubscriberByWaPhone(t.db, { tenantId: s.tenantId, waPhone: `+${from}` }))!;
  const adRows = (tenantId: string) => t.db.select().from(ads).where(eq(ads.tenantId, tenantId));
  const adJobs = (tenantId: string) =>
    t.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.tenantId, tenantId), eq(jobs.kind, AD_ENRICHMENT_JOB)));
  const jobOf = async (tenantId: string, adId: string) => (await getJobByKey(t.db, { kind: AD_ENRICHMENT_JOB, dedupeKey: `${tenantId}:${adId}` }))!;
  const adConversations = (tenantId: string, adId: string) =>
    t.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.adId, adId)));
  const graphCalls = (adId: string) => graph.requests.filter((r) => r.path.endsWith(`/${adId}`));
  const drain = (at: Date = now) =>
    drainJobs(t.db, { handlers: { [AD_ENRICHMENT_JOB]: adEnrichmentHandler(t.db, deps) }, kinds: [AD_ENRICHMENT_JOB], now: () => at, concurrency: 2 });

  it("fetches an ad once for all who clicked it and fills conversations, subscribers and later clicks", async () => {
    const s = await shop();
    const adId = newAdId();
    const ad = fakeAd(adId);
    const [ana, ben] = [newSender(), newSender()];
    await receive(s, { from: ana, adId, at: later(-30) });
    await receive(s, { from: ben, adId, at: later(-20) });

    const [row] = await adRows(s.tenantId);
    expect(await adRows(s.tenantId)).toHaveLength(1);
    expect(row).toMatchObject({ adId, numberId: s.numberId, status: "pending", attempts: 0, error: null, campaignName: null, firstSeenAt: now });
    const queued = await adJobs(s.tenantId);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      dedupeKey: `${s.tenantId}:${adId}`,
      payload: { tenantId: s.tenantId, adId },
      status: "pending",
      attempts: 0,
      runAt: now,
    });
    expect((await adConversations(s.tenantId, adId)).map((c) => c.campaignName)).toEqual([null, null]);

    expect(await drain()).toMatchObject({ done: 1, failed: 0, retried: 0 });
    const [call] = graphCalls(adId);
    expect(graphCalls(adId)).toHaveLength(1);
    expect(call!.path).toBe(`/v24.0/${adId}`);
    expect(call!.query.get("fields")).toBe(AD_FIELDS);
    expect(call!.headers.authorization).toBe(`Bearer ${TOKEN}`);

    const names = {
      adName: ad.name,
      adsetId: ad.adset.id,
      adsetName: ad.adset.name,
      campaignId: ad.campaign.id,
      campaignName: ad.campaign.name,
      creativeId: ad.creative.id,
      creativeName: ad.creative.name,
    };
    expect((await adRows(s.tenantId))[0]).toMatchObject({ ...names, status: "enriched", error: null, attempts: 1, enrichedAt: now });
    const filled = await adConversations(s.tenantId, adId);
    expect(filled).toHaveLength(2);
    for (const c of filled) expect(c).toMatchObject({ ...names, enrichedAt: now, enrichmentError: null });
    for (const from of [ana, ben]) expect(await subscriber(s, from)).toMatchObject({ firstTouchAdId: adId, firstTouchCampaignId: ad.campaign.id });
    expect((await jobOf(s.tenantId, adId)).result).toMatchObject({ campaignId: ad.campaign.id, conversations: 2, subscribers: 2 });

    // later clicks get the cached names as they are stored: no job, no Graph call (a new subscriber, and one who wrote before)
    const cleo = newSender();
    const dan = newSender();
    await receive(s, { from: dan, at: later(-10) });
    await receive(s, { from: cleo, adId, at: later(-5) });
    await receive(s, { from: dan, adId, at: later(-4) });
    expect(await adJobs(s.tenantId)).toHaveLength(1);
    expect(graphCalls(adId)).toHaveLength(1);
    for (const from of [cleo, dan]) {
      const sub = await subscriber(s, from);
      expect(sub).toMatchObject({ firstTouchAdId: adId, firstTouchCampaignId: ad.campaign.id });
      const [c] = await t.db.select().from(conversations).where(eq(conversations.id, sub.firstTouchConversationId!));
      expect(c).toMatchObject({ ...names, enrichedAt: now, enrichmentError: null });
    }
    // the list's campaign filter and first-touch names
    const listed = await listSubscriberPage(t.db, { tenantId: s.tenantId, campaignId: ad.campaign.id, sort: "last_inbound", limit: 10, now });
    expect(listed.map((r) => r.subscriber.waPhone).sort()).toEqual([ana, ben, cleo, dan].map((p) => `+${p}`).sort());
    expect(listed[0]!.firstTouch).toMatchObject({ adName: ad.name, campaignName: ad.campaign.name });
  });

  it("records a rejected token on the ad and its conversations, does not retry, and runs again on request", async () => {
    const s = await shop({ token: "EAAG-revoked" });
    const adId = newAdId();
    const ad = fakeAd(adId);
    const from = newSender();
    await receive(s, { from, adId, at: later(-30) });

    expect(await drain()).toMatchObject({ failed: 1, retried: 0, done: 0 });
    const [row] = await adRows(s.tenantId);
    expect(row).toMatchObject({ status: "failed", attempts: 1, campaignName: null });
    expect(row!.error).toMatch(
      /^Graph error 190\/463: Error validating access token: Session has expired.*\[fbtrace_id AFakeTrace\d+\]\. The number's access token was rejected/,
    );
    const [c] = await adConversations(s.tenantId, adId);
    expect(c).toMatchObject({ enrichmentError: row!.error, enrichedAt: null, campaignName: null });
    expect(await jobOf(s.tenantId, adId)).toMatchObject({ status: "failed", attempts: 1, lastError: row!.error });

    expect((await drain(later(24 * 60))).claimed).toBe(0); // final: never claimed again
    expect(graphCalls(adId)).toHaveLength(1);

    // a new click on the failed ad shows the error at once and queues nothing
    const other = await receive(s, { from: newSender(), adId, at: later(-5) });
    const [second] = await t.db.select().from(conversations).where(eq(conversations.id, other.firstTouchConversationId!));
    expect(second).toMatchObject({ enrichmentError: row!.error, campaignName: null });
    expect(await adJobs(s.tenantId)).toHaveLength(1);

    // the token is fixed at Meta's end: a retry from the console fills everything
    graph.addAd({ ...ad, token: "EAAG-revoked" });
    expect(await retryAdEnrichment(t.db, { tenantId: s.tenantId, adId, now: later(60) })).toMatchObject({ queued: true, ad: { status: "pending" } });
    expect(await retryAdEnrichment(t.db, { tenantId: s.tenantId, adId, now: later(60) })).toMatchObject({ queued: false });
    expect(await drain(later(60))).toMatchObject({ done: 1 });
    expect((await adRows(s.tenantId))[0]).toMatchObject({ status: "enriched", error: null, attempts: 2, campaignName: ad.campaign.name });
    for (const conv of await adConversations(s.tenantId, adId))
      expect(conv).toMatchObject({ enrichmentError: null, campaignName: ad.campaign.name, enrichedAt: later(60) });
    expect(await subscriber(s, from)).toMatchObject({ firstTouchCampaignId: ad.campaign.id });
    await expect(retryAdEnrichment(t.db, { tenantId: s.tenantId, adId: "999", now })).rejects.toMatchObject({ code: "not_found" });
  });

  it("retries a 500 with backoff and fills the names once Meta answers", async () => {
    const s = await shop();
    const adId = newAdId();
    const ad = fakeAd(adId);
    graph.failObject(adId, { status: 500, code: 2, message: "Service temporarily unavailable", type: "OAuthException" }, { times: 1 });
    await receive(s, { from: newSender(), adId, at: later(-30) });

    expect(await drain()).toMatchObject({ retried: 1, failed: 0 });
    const job = await jobOf(s.tenantId, adId);
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.runAt.getTime()).toBeGreaterThan(now.getTime());
    const [row] = await adRows(s.tenantId);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row!.error).toMatch(/^Graph error 2: Service temporarily unavailable/);
    expect((await adConversations(s.tenantId, adId))[0]).toMatchObject({ enrichmentError: row!.error });

    expect((await drain()).claimed).toBe(0); // not before its backoff
    expect(await drain(new Date(job.runAt.getTime() + 1000))).toMatchObject({ done: 1 });
    expect((await adRows(s.tenantId))[0]).toMatchObject({ status: "enriched", error: null, attempts: 2, campaignId: ad.campaign.id });
    expect((await adConversations(s.tenantId, adId))[0]).toMatchObject({ enrichmentError: null, campaignName: ad.campaign.name });
  });

  it("gives up after the job's last attempt", async () => {
    const s = await shop();
    const adId = newAdId();
    fakeAd(adId);
    graph.failObject(adId, { status: 503, code: 1, message: "An unknown error occurred" });
    await receive(s, { from: newSender(), adId, at: later(-30) });
    const outcomes: string[] = [];
    for (let hour = 0; hour < 6; hour++) {
      const r = await drain(later(hour * 120));
      outcomes.push(r.retried ? "retried" : r.failed ? "failed" : "none");
    }
    expect(outcomes).toEqual(["retried", "retried", "retried", "retried", "failed", "none"]);
    expect((await adRows(s.tenantId))[0]).toMatchObject({ status: "failed", attempts: 5 });
    expect(await jobOf(s.tenantId, adId)).toMatchObject({ status: "failed", attempts: 5 });
  });

  it("fails without a Graph call when the ad's number is gone", async () => {
    const s = await shop();
    const adId = newAdId();
    fakeAd(adId);
    await receive(s, { from: newSender(), adId, at: later(-30) });
    await t.db
      .update(ads)
      .set({ numberId: null })
      .where(and(eq(ads.tenantId, s.tenantId), eq(ads.adId, adId)));
    expect(await drain()).toMatchObject({ failed: 1 });
    expect(graphCalls(adId)).toHaveLength(0);
    const [row] = await adRows(s.tenantId);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row!.error).toMatch(/number .* was removed/);
    expect((await adConversations(s.tenantId, adId))[0]!.enrichmentError).toBe(row!.error);
  });

  it("keeps tenants apart: the same ad id is cached, fetched and filled per tenant", async () => {
    const a = await shop();
    const b = await shop({ token: "EAAG-other-business" });
    const adId = newAdId();
    const ad = fakeAd(adId); // readable with tenant A's token only
    // both tenants' clicks in one webhook batch
    const events = [];
    for (const s of [a, b]) {
      const body = inboundMessage(s.n, {
        from: { waId: newSender(), name: null },
        wamid: fakeWamid(`${kind}-${next()}`),
        at: later(-30),
        referral: { sourceUrl: "https://fb.me/x", sourceId: adId, sourceType: "ad", headline: "h", body: "b", mediaType: "image", mediaUrl: "https://x/y.jpg" },
      });
      events.push(
        await storeWebhookEvent(t.db, {
          provider: "cloud",
          rawBody: JSON.stringify(body),
          signatureResult: "valid",
          routedPhoneNumberIds: [s.n.phoneNumberId],
          receivedAt: now,
        }),
      );
    }
    expect((await processWebhookEvents(t.db, { ids: events.map((e) => e.id), now })).processed).toBe(2);
    for (const s of [a, b]) {
      expect(await adRows(s.tenantId)).toHaveLength(1);
      expect((await adJobs(s.tenantId)).map((j) => j.dedupeKey)).toEqual([`${s.tenantId}:${adId}`]);
    }

    expect(await drain()).toMatchObject({ done: 1, failed: 1 });
    expect((await adRows(a.tenantId))[0]).toMatchObject({ status: "enriched", campaignName: ad.campaign.name, numberId: a.numberId });
    expect((await adRows(b.tenantId))[0]).toMatchObject({ status: "failed", campaignName: null, numberId: b.numberId });
    expect((await adConversations(a.tenantId, adId))[0]).toMatchObject({ campaignName: ad.campaign.name, enrichmentError: null });
    expect((await adConversations(b.tenantId, adId))[0]).toMatchObject({ campaignName: null, enrichmentError: expect.stringMatching(/^Graph error 190/) });

    // the enrichment view: a keyset page of the tenant's own ads with their job
    const extra = newAdId();
    await receive(a, { from: newSender(), adId: extra, at: later(-1) });
    const first = await listAdEnrichments(t.db, { tenantId: a.tenantId, limit: 1 });
    expect(first.rows.map((r) => r.adId)).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await listAdEnrichments(t.db, { tenantId: a.tenantId, limit: 1, cursor: first.nextCursor! });
    expect(new Set([...first.rows, ...second.rows].map((r) => r.adId))).toEqual(new Set([adId, extra]));
    expect(second.nextCursor).toBeNull();
    const enriched = await listAdEnrichments(t.db, { tenantId: a.tenantId, limit: 10, status: "enriched" });
    expect(enriched.rows).toEqual([expect.objectContaining({ adId, status: "enriched", jobStatus: "done", jobAttempts: 1, campaignName: ad.campaign.name })]);
    const failed = await listAdEnrichments(t.db, { tenantId: b.tenantId, limit: 10 });
    expect(failed.rows).toEqual([expect.objectContaining({ adId, status: "failed", jobStatus: "failed", error: expect.stringMatching(/^Graph error 190/) })]);
  });
});

describe("isTransientGraphFailure", () => {
  const graphError = (httpStatus: number, code: number | null) =>
    ({ kind: "graph", httpStatus, code, subcode: null, type: null, message: "x", details: null, fbtraceId: null }) as const;

  it("retries timeouts, network failures, 5xx and rate limits", () => {
    expect(isTransientGraphFailure({ kind: "timeout", message: "slow" })).toBe(true);
    expect(isTransientGraphFailure({ kind: "network", message: "ECONNREFUSED" })).toBe(true);
    expect(isTransientGraphFailure(graphError(500, null))).toBe(true);
    for (const code of [4, 17, 32, 613, 80004]) expect(isTransientGraphFailure(graphError(400, code))).toBe(true);
  });

  it("does not retry auth, permission and unknown-object errors", () => {
    for (const code of [190, 10, 200, 100]) expect(isTransientGraphFailure(graphError(400, code))).toBe(false);
    expect(isTransientGraphFailure({ kind: "bad_response", httpStatus: 200, message: "odd body" })).toBe(false);
  });
});
