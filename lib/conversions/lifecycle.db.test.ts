// Lifecycle stages report themselves to Meta (issue 23), on both drivers: the workspace's map validated; a stage
// change queues exactly one CAPI event for the latest ad conversation (stable event id, click id, value), delivered
// by the real CAPI job handler to the fake Graph server; repeats, back and forth and concurrent changes send nothing
// more; no map, no ad click or another workspace's map send nothing, and the answer says why.
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { getSubscriberByWaPhone, insertTenant } from "@/db/queries";
import { conversations, conversions, jobs, leads, outboundMessages, templates, tenants } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { createApiKey } from "@/lib/api-keys";
import { enrollLead } from "@/lib/drip/enroll";
import { setEnvForTests } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { drainJobs } from "@/lib/jobs/queue";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { subscriberPatchSchema, updateSubscriber } from "@/lib/subscribers/manage";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { type PayloadNumber, fakeWamid, inboundMessage } from "@/lib/whatsapp/payloads";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { ATTRIBUTION_WINDOW_PASSED } from "./create";
import { type ConversionDeliveryDeps, conversionJobHandlers } from "./deliver";
import { CAPI_FORWARD_JOB } from "./deliver-policy";
import { lifecycleEventId, lifecycleEventMessage, readLifecycleEvents, saveLifecycleEvents } from "./lifecycle";
import { lifecycleEventsFormSchema } from "./lifecycle-schema";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const subscriberRoute = await import("@/app/api/v1/subscribers/[id]/route");

const encryptionKey = Buffer.alloc(32, 23).toString("base64");
const keys = { encryptionKey, appUrl: "http://localhost:3000" };
const now = new Date("2031-06-01T12:00:00.400Z");
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const TOKEN = "EAAG-lifecycle-token";

type CapiEvent = {
  event_name: string;
  event_id: string;
  event_time: number;
  action_source: string;
  user_data: { ctwa_clid: string; whatsapp_business_account_id: string };
  custom_data?: { value?: number; currency?: string };
};

describe.each(testDrivers)("lifecycle events (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let deps: ConversionDeliveryDeps;
  let restoreEnv: () => void = () => {};
  let seq = 0;
  const next = () => (seq += 1);

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    graph = await startFakeGraph();
    deps = { encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs: 1_000 }, random: () => 0.5 };
    // the API route sends a new event right after its answer with the environment's Graph: this fake
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: encryptionKey, GRAPH_API_BASE: graph.url, GRAPH_API_VERSION: "v24.0" });
  });
  afterAll(async () => {
    restoreEnv();
    await graph.close();
    await t.cleanup();
  });
  afterEach(async () => {
    await t.db.delete(jobs).where(eq(jobs.status, "pending"));
  });

  type Shop = { tenantId: string; numberId: string; wabaId: string; n: PayloadNumber };

  async function shop(opts: { dataset?: boolean; map?: Record<string, unknown> } = {}): Promise<Shop> {
    const tenantId = (await insertTenant(t.db, { name: `Stages ${next()}` })).id;
    if (opts.map) await saveLifecycleEvents(t.db, { tenantId, input: opts.map });
    const s = next();
    const phoneNumberId = `${kind === "pglite" ? 3 : 4}0654035224${String(s).padStart(4, "0")}`;
    const wabaId = `1022901293${String(s).padStart(5, "0")}`;
    const number = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "cloud",
        label: `Sales ${s}`,
        phoneE164: `+1555077${String(3800 + s)}`,
        phoneNumberId,
        wabaId,
        accessToken: TOKEN,
        appSecret: "s3cret",
        ...(opts.dataset === false ? {} : { datasetId: `79${String(s).padStart(13, "0")}` }),
      }),
    });
    const datasetId = number.datasetId;
    graph.addDataset({ wabaId, token: TOKEN, ...(datasetId ? { datasetId } : {}) });
    return { tenantId, numberId: number.id, wabaId, n: { phoneNumberId, displayPhoneNumber: number.phoneE164.slice(1), wabaId } };
  }

  /** One inbound message from `waId` (an ad click with `clid`, else organic); returns the subscriber and the latest conversation. */
  async function receive(s: Shop, { waId, clid, at = minutes(-60) }: { waId: string; clid?: string; at?: Date }) {
    const adId = `1202263058${String(next()).padStart(8, "0")}`;
    const referral = clid
      ? {
          sourceUrl: `https://fb.me/${adId}`,
          sourceId: adId,
          sourceType: "ad" as const,
          headline: "Chat",
          body: "Sale",
          mediaType: "image" as const,
          mediaUrl: "https://x/i.jpg",
          ctwaClid: clid,
        }
      : undefined;
    const rawBody = JSON.stringify(inboundMessage(s.n, { from: { waId, name: "Ana" }, wamid: fakeWamid(`${kind}-lc-${next()}`), at, text: "Hi!", referral }));
    const event = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody,
      signatureResult: "valid",
      routedPhoneNumberIds: [s.n.phoneNumberId],
      receivedAt: at,
    });
    expect((await processWebhookEvents(t.db, { ids: [event.id], now: at })).processed).toBe(1);
    const subscriber = (await getSubscriberByWaPhone(t.db, { tenantId: s.tenantId, waPhone: `+${waId}` }))!;
    const [conversation] = await t.db
      .select()
      .from(conversations)
      .where(eq(conversations.subscriberId, subscriber.id))
      .orderBy(conversations.startedAt)
      .then((rows) => rows.slice(-1));
    return { subscriber, conversation: conversation! };
  }
  const newWaId = () => `1650556${String(next()).padStart(4, "0")}`;

  const move = (s: Shop, id: string, lifecycleState: string, at = now, extra: Record<string, unknown> = {}) =>
    updateSubscriber(t.db, { tenantId: s.tenantId, id, patch: subscriberPatchSchema.parse({ lifecycleState, ...extra }), now: at });
  const drain = (at: Date) => drainJobs(t.db, { handlers: conversionJobHandlers(t.db, deps), kinds: [CAPI_FORWARD_JOB], now: () => at });
  const sentEvents = (eventId: string) =>
    graph.capiDeliveries.flatMap((d) => (d.body.data as CapiEvent[]).map((e) => ({ ...e, datasetId: d.datasetId }))).filter((e) => e.event_id === eventId);
  const rowsOf = (tenantId: string, subscriberId: string) =>
    t.db
      .select()
      .from(conversions)
      .where(and(eq(conversions.tenantId, tenantId), eq(conversions.subscriberId, subscriberId)));
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof AppError)
        return { status: e.status, message: e.message, fieldErrors: (e.details as { fieldErrors?: Record<string, string[]> }).fieldErrors };
      throw e;
    }
    throw new Error("expected a refusal");
  };

  const MAP = { prospect: { eventName: "LeadSubmitted" }, customer: { eventName: "Purchase", value: 100, currency: "USD" } };

  it("validates the workspace's map: Meta's event names, no lead stage, a Purchase with a value and currency, a value with its currency", async () => {
    const { tenantId } = await shop();
    const bad = async (input: unknown) => (await refusal(saveLifecycleEvents(t.db, { tenantId, input }))).fieldErrors;
    expect(await bad({ lead: { eventName: "LeadSubmitted" } })).toMatchObject({ root: [expect.stringContaining("everyone starts as a lead")] });
    expect(await bad({ prospect: { eventName: "Lead" } })).toMatchObject({ "prospect.eventName": [expect.stringContaining("LeadSubmitted")] });
    expect(await bad({ customer: { eventName: "Purchase" } })).toEqual({
      "customer.value": ["A Purchase needs a default value"],
      "customer.currency": ["A Purchase needs a currency, e.g. USD"],
    });
    expect(await bad({ customer: { eventName: "AddToCart", value: 5 } })).toEqual({ "customer.currency": ["A value and its currency go together"] });
    expect(await bad({ customer: { eventName: "Purchase", value: -1, currency: "USD" } })).toEqual({ "customer.value": ["The value cannot be negative"] });
    expect(await bad({ customer: { eventName: "Purchase", value: 1, currency: "DOLLARS" } })).toMatchObject({
      "customer.currency": [expect.stringContaining("ISO 4217")],
    });
    expect(await readLifecycleEvents(t.db, { tenantId })).toEqual({});

    expect(await saveLifecycleEvents(t.db, { tenantId, input: { ...MAP, repeat_customer: { eventName: "Purchase", value: 80, currency: "eur" } } })).toEqual({
      ...MAP,
      repeat_customer: { eventName: "Purchase", value: 80, currency: "EUR" },
    });
    expect(await readLifecycleEvents(t.db, { tenantId })).toMatchObject({ repeat_customer: { currency: "EUR" } });

    // the Settings form: "" sends nothing; the same rules land on the stage's fields
    const form = (customer: Record<string, string>) =>
      lifecycleEventsFormSchema.safeParse({
        prospect: { eventName: "LeadSubmitted", value: "", currency: "" },
        customer: { eventName: "", value: "", currency: "", ...customer },
        repeat_customer: { eventName: "", value: "", currency: "" },
      });
    expect(form({}).data).toEqual({ prospect: { eventName: "LeadSubmitted" } });
    expect(form({ eventName: "Purchase", value: "149,90", currency: "brl" }).data).toMatchObject({
      customer: { eventName: "Purchase", value: 149.9, currency: "BRL" },
    });
    expect(form({ eventName: "Purchase" }).error?.issues.map((i) => i.path.join("."))).toEqual(["customer.value", "customer.currency"]);
    expect(form({ eventName: "ViewContent", value: "12" }).error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["customer.currency", "A value needs its currency, e.g. USD"],
    ]);
  });

  it("a stage change queues exactly one CAPI event with the stable event id, the click id and the value, and says so", async () => {
    const s = await shop({ map: MAP });
    const { subscriber, conversation } = await receive(s, { waId: newWaId(), clid: "Aff-lifecycle-click-1" });
    const moved = await move(s, subscriber.id, "customer");
    const eventId = lifecycleEventId({ subscriberId: subscriber.id, stage: "customer", conversationId: conversation.id });
    expect(eventId).toBe(`lifecycle:${subscriber.id}:customer:${conversation.id}`);
    const [row] = await rowsOf(s.tenantId, subscriber.id);
    expect(moved.lifecycleEvent).toEqual({ stage: "customer", eventName: "Purchase", conversionId: row!.id, status: "queued", duplicate: false, warnings: [] });
    expect(lifecycleEventMessage(moved.lifecycleEvent!)).toBe("Purchase sent to Meta");
    expect(row).toMatchObject({
      eventId,
      source: "lifecycle",
      conversationId: conversation.id,
      ctwaClid: "Aff-lifecycle-click-1",
      value: "100.00",
      currency: "USD",
    });

    await drain(minutes(1));
    const sent = sentEvents(eventId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      event_name: "Purchase",
      event_id: eventId,
      event_time: unix(now),
      action_source: "business_messaging",
      user_data: { ctwa_clid: "Aff-lifecycle-click-1", whatsapp_business_account_id: s.wabaId },
      custom_data: { value: 100, currency: "USD" },
    });
    expect((await rowsOf(s.tenantId, subscriber.id))[0]!.status).toBe("sent");

    // the same change again changes nothing; back to prospect (its own event) and to customer again: still one Purchase
    expect((await move(s, subscriber.id, "customer", minutes(2))).lifecycleEvent).toBeNull();
    expect((await move(s, subscriber.id, "prospect", minutes(3))).lifecycleEvent).toMatchObject({ eventName: "LeadSubmitted", status: "queued" });
    const again = await move(s, subscriber.id, "customer", minutes(4));
    expect(again.lifecycleEvent).toMatchObject({ eventName: "Purchase", conversionId: row!.id, status: "sent", duplicate: true });
    expect(lifecycleEventMessage(again.lifecycleEvent!)).toContain("already sent to Meta");
    expect((await move(s, subscriber.id, "prospect", minutes(5))).lifecycleEvent).toMatchObject({ eventName: "LeadSubmitted", duplicate: true });
    await drain(minutes(6));
    expect(sentEvents(eventId)).toHaveLength(1);
    expect(sentEvents(lifecycleEventId({ subscriberId: subscriber.id, stage: "prospect", conversationId: conversation.id }))).toHaveLength(1);
    expect(await rowsOf(s.tenantId, subscriber.id)).toHaveLength(2);

    // a new ad conversation later, and the stage again: a new event for the new click
    await move(s, subscriber.id, "lead", minutes(7));
    const later = await receive(s, { waId: subscriber.waId!, clid: "Aff-lifecycle-click-2", at: minutes(60 * 30) });
    expect(later.conversation.id).not.toBe(conversation.id);
    const renewed = await move(s, subscriber.id, "customer", minutes(60 * 31));
    expect(renewed.lifecycleEvent).toMatchObject({ status: "queued", duplicate: false });
    await drain(minutes(60 * 31 + 1));
    const second = sentEvents(lifecycleEventId({ subscriberId: subscriber.id, stage: "customer", conversationId: later.conversation.id }));
    expect(second).toHaveLength(1);
    expect(second[0]!.user_data.ctwa_clid).toBe("Aff-lifecycle-click-2");
  });

  it("sends the value the manager entered instead of the default, and the API answers what happened", async () => {
    const s = await shop({ map: MAP });
    const { subscriber } = await receive(s, { waId: newWaId(), clid: "Aff-lifecycle-entered" });
    const key = (await createApiKey(t.db, { tenantId: s.tenantId, name: "k", createdBy: null })).secret;
    const patch = (body: unknown) =>
      subscriberRoute.PATCH(
        new Request(`http://t/api/v1/subscribers/${subscriber.id}`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${key}` },
          body: JSON.stringify(body),
        }),
        { params: Promise.resolve({ id: subscriber.id }) } as never,
      );
    expect((await patch({ lifecycleValue: { value: 5, currency: "USD" } })).status).toBe(422); // a value without the stage it is for
    expect((await patch({ lifecycleState: "customer", lifecycleValue: { value: -5, currency: "USD" } })).status).toBe(422);
    const res = await patch({ lifecycleState: "customer", lifecycleValue: { value: 249.5, currency: "eur" } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      id: subscriber.id,
      lifecycleState: "customer",
      lifecycleEvent: { eventName: "Purchase", status: "queued", duplicate: false },
    });
    // sent right after the answer, with no scheduled run
    const eventId = lifecycleEventId({ subscriberId: subscriber.id, stage: "customer", conversationId: body.lastTouch.id });
    const sent = await vi.waitFor(
      () => {
        const [e] = sentEvents(eventId);
        expect(e).toBeDefined();
        return e!;
      },
      { timeout: 5_000 },
    );
    expect(sent.custom_data).toMatchObject({ value: 249.5, currency: "EUR" });
    // a change that is not a stage change answers null
    const tagged = await (await patch({ tags: ["vip"] })).json();
    expect(tagged.lifecycleEvent).toBeNull();
  });

  it("sends nothing without a map, without an ad click, on a number without a dataset, or with another workspace's map — and says why", async () => {
    const mapped = await shop({ map: MAP });
    const unmapped = await shop();
    const a = await receive(unmapped, { waId: newWaId(), clid: "Aff-lifecycle-unmapped" });
    expect((await move(unmapped, a.subscriber.id, "customer")).lifecycleEvent).toBeNull();
    expect(await rowsOf(unmapped.tenantId, a.subscriber.id)).toEqual([]);
    // the same phone in the mapped workspace is another subscriber, whose map is not the unmapped one's
    const sameWaId = a.subscriber.waId!;
    const b = await receive(mapped, { waId: sameWaId, clid: "Aff-lifecycle-mapped" });
    expect((await move(mapped, b.subscriber.id, "repeat_customer")).lifecycleEvent).toBeNull(); // repeat_customer is not mapped
    expect((await move(unmapped, a.subscriber.id, "prospect")).lifecycleEvent).toBeNull();

    const organic = await receive(mapped, { waId: newWaId() });
    const noClick = await move(mapped, organic.subscriber.id, "customer");
    expect(noClick.lifecycleEvent).toEqual({ stage: "customer", eventName: "Purchase", skipped: expect.stringContaining("no ad click") });
    expect(lifecycleEventMessage(noClick.lifecycleEvent!)).toBe(
      "Purchase not sent to Meta: no ad click to attribute it to (they never wrote after clicking a Click-to-WhatsApp ad)",
    );
    expect(await rowsOf(mapped.tenantId, organic.subscriber.id)).toEqual([]);

    const noDataset = await shop({ dataset: false, map: MAP });
    const c = await receive(noDataset, { waId: newWaId(), clid: "Aff-lifecycle-nodataset" });
    expect((await move(noDataset, c.subscriber.id, "prospect")).lifecycleEvent).toMatchObject({
      skipped: expect.stringContaining("no Conversions API dataset"),
    });
    expect(await rowsOf(noDataset.tenantId, c.subscriber.id)).toEqual([]);
  });

  it("a click older than Meta's 7-day window is still sent, with the attribution_window_passed warning (as the conversions API)", async () => {
    const s = await shop({ map: MAP });
    const { subscriber } = await receive(s, { waId: newWaId(), clid: "Aff-lifecycle-old", at: minutes(-8 * 24 * 60) });
    const moved = await move(s, subscriber.id, "prospect");
    expect(moved.lifecycleEvent).toMatchObject({ status: "queued", warnings: [ATTRIBUTION_WINDOW_PASSED] });
    expect(lifecycleEventMessage(moved.lifecycleEvent!)).toContain("more than 7 days old");
  });

  it("a Purchase among the workspace's drip stop events stops the lead's drip", async () => {
    const s = await shop({ map: MAP });
    await t.db.insert(templates).values({ tenantId: s.tenantId, name: "welcome", title: "Welcome", content: "Hi!", delayDays: 1 });
    const { subscriber } = await receive(s, { waId: newWaId(), clid: "Aff-lifecycle-drip" });
    const [lead] = await t.db
      .insert(leads)
      .values({ tenantId: s.tenantId, name: "Ana", phone: subscriber.waPhone!, numberId: s.numberId, subscriberId: subscriber.id })
      .returning();
    expect((await enrollLead(t.db, { tenantId: s.tenantId, leadId: lead!.id, now })).queued).toBe(1);
    const drip = () =>
      t.db
        .select({ status: outboundMessages.status, errorCode: outboundMessages.errorCode })
        .from(outboundMessages)
        .where(eq(outboundMessages.leadId, lead!.id));
    await move(s, subscriber.id, "prospect"); // LeadSubmitted is not a stop event here
    expect(await drip()).toEqual([{ status: "pending", errorCode: null }]);
    expect((await t.db.select().from(tenants).where(eq(tenants.id, s.tenantId)))[0]!.dripStopEvents).toEqual(["Purchase"]);
    await move(s, subscriber.id, "customer", minutes(1));
    expect(await drip()).toEqual([{ status: "cancelled", errorCode: "converted" }]);
  });

  it.skipIf(kind !== "postgres")("two stage changes at once (two transactions) still queue one event", async () => {
    const s = await shop({ map: MAP });
    const { subscriber } = await receive(s, { waId: newWaId(), clid: "Aff-lifecycle-race" });
    const results = await Promise.all([move(s, subscriber.id, "customer"), move(s, subscriber.id, "customer")]);
    expect(results.map((r) => (r.lifecycleEvent && "status" in r.lifecycleEvent ? r.lifecycleEvent.status : null)).sort()).toEqual(["queued", null].sort());
    const rows = await rowsOf(s.tenantId, subscriber.id);
    expect(rows).toHaveLength(1);
    await drain(minutes(1));
    expect(sentEvents(rows[0]!.eventId)).toHaveLength(1);
  });
});
