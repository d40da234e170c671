// The drip listens (issue 21), on both drivers: a reply (through the real ingestion) stops the series that
// stop on a reply, a reaction or history does not; a conversion of one of the workspace's stop events stops
// the lead's drip; quiet hours move a due row to their end in the subscriber's own time zone.
import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSubscriberByWaPhone, insertTenant } from "@/db/queries";
import { leads, outboundMessages, outgoingEvents, templates, tenants, webhookEndpoints } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { type FakeSends, serveCloudMessages } from "@/e2e/fakes/fake-senders";
import { createConversion } from "@/lib/conversions/create";
import { parseConversionRequest } from "@/lib/conversions/schema";
import { encryptSecret } from "@/lib/crypto";
import { createNumber } from "@/lib/numbers/numbers";
import { leadStoppedEvent } from "@/lib/webhooks-out/lead-events";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { type PayloadNumber, fakeWamid, inboundMessage } from "@/lib/whatsapp/payloads";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { type DripDeps, runDrip } from "./dispatch";
import { enrollLead } from "./enroll";
import { listQueue, queueRowJson } from "./queue";

const encryptionKey = Buffer.alloc(32, 21).toString("base64");
const keys = { encryptionKey, appUrl: "http://x" };
const TOKEN = "EAAG-listen";
// 23:00 in Moscow
const now = new Date("2031-05-01T20:00:00.000Z");
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));

describe.each(testDrivers)("the drip listens (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let sends: FakeSends;
  let deps: DripDeps;
  const tokens: Record<string, string> = {};
  let seq = 0;
  const next = () => (seq += 1);

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    sends = serveCloudMessages(graph, tokens);
    deps = { encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs: 30_000 } };
  });
  afterAll(async () => {
    await graph.close();
    await t.cleanup();
  });

  type Shop = { tenantId: string; numberId: string; n: PayloadNumber };

  /** A workspace with a Cloud number (with a dataset, for conversions) and two series: one stops on a reply, one does not. */
  async function shop(settings: Partial<typeof tenants.$inferInsert> = {}, { autoLead = false } = {}): Promise<Shop> {
    const s = next();
    const tenantId = (await insertTenant(t.db, { name: `Listening ${s}` })).id;
    if (Object.keys(settings).length > 0) await t.db.update(tenants).set(settings).where(eq(tenants.id, tenantId));
    const phoneNumberId = `${kind === "pglite" ? 7 : 8}1654035224${String(s).padStart(4, "0")}`;
    const wabaId = `1022901293${String(s).padStart(5, "0")}`;
    tokens[phoneNumberId] = TOKEN;
    const number = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "cloud",
        label: `Sales ${s}`,
        phoneE164: `+1555079${String(3800 + s)}`,
        phoneNumberId,
        wabaId,
        accessToken: TOKEN,
        appSecret: "s3cret",
        datasetId: `78${String(s).padStart(13, "0")}`,
        autoLeadSubmitted: autoLead,
      }),
    });
    await t.db.insert(templates).values([
      { tenantId, name: "welcome", title: "Welcome", content: "Hi {{first_name}}!", delayDays: 0, stopOnReply: true },
      { tenantId, name: "tips", title: "Tips", content: "A tip for {{first_name}}", delayDays: 0, delayHours: 11, stopOnReply: false },
      { tenantId, name: "case", title: "Case", content: "A case for {{first_name}}", delayDays: 2, stopOnReply: true },
    ]);
    return { tenantId, numberId: number.id, n: { phoneNumberId, displayPhoneNumber: number.phoneE164.slice(1), wabaId } };
  }

  async function ingest(s: Shop, payload: unknown, at: Date) {
    const event = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody: JSON.stringify(payload),
      signatureResult: "valid",
      routedPhoneNumberIds: [s.n.phoneNumberId],
      receivedAt: at,
    });
    expect((await processWebhookEvents(t.db, { ids: [event.id], now: at })).processed).toBe(1);
  }

  const adClick = () => {
    const adId = `1202263058${String(next()).padStart(8, "0")}`;
    return {
      sourceUrl: `https://fb.me/${adId}`,
      sourceId: adId,
      sourceType: "ad" as const,
      headline: "Chat with us",
      body: "Sale",
      mediaType: "image" as const,
      mediaUrl: "https://x/i.jpg",
      ctwaClid: `clid-${next()}`,
    };
  };

  /** A Moscow customer who wrote from an ad (a click id), made a lead and enrolled now. */
  async function enrolledLead(s: Shop) {
    const waId = `7916555${String(next()).padStart(4, "0")}`;
    const firstAt = minutes(-60);
    await ingest(
      s,
      inboundMessage(s.n, { from: { waId, name: "Olga" }, wamid: fakeWamid(`${kind}-${next()}`), at: firstAt, text: "Hi!", referral: adClick() }),
      firstAt,
    );
    const subscriber = (await getSubscriberByWaPhone(t.db, { tenantId: s.tenantId, waPhone: `+${waId}` }))!;
    expect(subscriber.timezone).toBe("Europe/Moscow");
    const [lead] = await t.db
      .insert(leads)
      .values({ tenantId: s.tenantId, name: "Olga Ivanova", phone: `+${waId}`, numberId: s.numberId, subscriberId: subscriber.id })
      .returning();
    expect((await enrollLead(t.db, { tenantId: s.tenantId, leadId: lead!.id, now })).queued).toBe(3);
    return { waId, subscriber, lead: lead! };
  }

  const rowsOf = async (leadId: string) =>
    Object.fromEntries(
      (await t.db.select().from(outboundMessages).where(eq(outboundMessages.leadId, leadId))).map((r) => [
        r.templateName,
        { status: r.status, errorCode: r.errorCode, errorMessage: r.errorMessage, scheduledAt: r.scheduledAt, attempts: r.attempts },
      ]),
    );
  const pending = { status: "pending", errorCode: null, errorMessage: null };

  it("a reply cancels the series that stop on a reply, with the reason; the others keep going", async () => {
    const s = await shop();
    const { waId, lead } = await enrolledLead(s);
    const other = await enrolledLead(s);
    await ingest(
      s,
      inboundMessage(s.n, { from: { waId, name: "Olga" }, wamid: fakeWamid(`${kind}-${next()}`), at: minutes(5), text: "How much is it?" }),
      minutes(5),
    );
    const replied = {
      status: "cancelled",
      errorCode: "lead_replied",
      errorMessage: "The lead replied, so this series stopped (the template stops when the lead replies)",
    };
    expect(await rowsOf(lead.id)).toMatchObject({ welcome: replied, case: replied, tips: pending });
    expect(await rowsOf(other.lead.id)).toMatchObject({ welcome: pending, case: pending, tips: pending });
    // as the queue monitor and GET /api/v1/queue show them
    const page = await listQueue(t.db, { tenantId: s.tenantId, filters: { status: "cancelled" }, limit: 10 });
    expect(page.rows.map(queueRowJson).map((r) => [r.templateName, r.errorCode, r.errorMessage])).toEqual(
      expect.arrayContaining([
        ["welcome", "lead_replied", replied.errorMessage],
        ["case", "lead_replied", replied.errorMessage],
      ]),
    );
    expect(page.rows).toHaveLength(2);
  });

  it("a reaction or a history message is not a reply", async () => {
    const s = await shop();
    const { waId, lead } = await enrolledLead(s);
    await ingest(
      s,
      inboundMessage(s.n, { from: { waId, name: "Olga" }, wamid: fakeWamid(`${kind}-${next()}`), at: minutes(5), type: "reaction", reactTo: "wamid.ANY" }),
      minutes(5),
    );
    const history = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: s.n.wabaId,
          changes: [
            {
              field: "history",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: s.n.displayPhoneNumber, phone_number_id: s.n.phoneNumberId },
                history: [
                  {
                    metadata: { phase: 0, chunk_order: 1, progress: 100 },
                    threads: [
                      {
                        id: waId,
                        messages: [
                          {
                            from: waId,
                            id: fakeWamid(`${kind}-hist-${next()}`),
                            timestamp: unix(minutes(6)),
                            type: "text",
                            text: { body: "An old message" },
                            history_context: { status: "READ" },
                          },
                        ],
                      },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    await ingest(s, history, minutes(6));
    expect(await rowsOf(lead.id)).toMatchObject({ welcome: pending, case: pending, tips: pending });
  });

  const convert = (s: Shop, eventName: string, waId: string) =>
    createConversion(t.db, {
      tenantId: s.tenantId,
      now,
      request: parseConversionRequest({
        accountId: s.numberId,
        eventName,
        eventId: `ev-${next()}`,
        eventTime: Number(unix(minutes(-5))),
        phoneE164: waId,
        ...(eventName === "Purchase" ? { value: 49, currency: "EUR" } : {}),
      }),
    });

  it("a Purchase conversion (the default stop event) cancels every pending row of the lead; a ViewContent does not", async () => {
    const s = await shop();
    const { waId, lead } = await enrolledLead(s);
    const other = await enrolledLead(s);
    expect((await convert(s, "ViewContent", waId)).result.status).toBe("queued");
    expect(await rowsOf(lead.id)).toMatchObject({ welcome: pending, case: pending, tips: pending });
    expect((await convert(s, "Purchase", waId)).result.status).toBe("queued");
    const converted = {
      status: "cancelled",
      errorCode: "converted",
      errorMessage: "A Purchase conversion was recorded for the lead, so the drip stopped",
    };
    expect(await rowsOf(lead.id)).toMatchObject({ welcome: converted, case: converted, tips: converted });
    expect(await rowsOf(other.lead.id)).toMatchObject({ welcome: pending, case: pending, tips: pending });
  });

  it("a workspace that lists ViewContent stops on it (and no longer on Purchase)", async () => {
    const s = await shop({ dripStopEvents: ["ViewContent"] });
    const buyer = await enrolledLead(s);
    await convert(s, "Purchase", buyer.waId);
    expect(await rowsOf(buyer.lead.id)).toMatchObject({ welcome: pending });
    const viewer = await enrolledLead(s);
    await convert(s, "ViewContent", viewer.waId);
    expect(await rowsOf(viewer.lead.id)).toMatchObject({
      welcome: { status: "cancelled", errorCode: "converted", errorMessage: "A ViewContent conversion was recorded for the lead, so the drip stopped" },
    });
  });

  it("the automatic LeadSubmitted of a new ad click stops the drip where the workspace lists LeadSubmitted", async () => {
    const s = await shop({ dripStopEvents: ["LeadSubmitted"] }, { autoLead: true });
    const { waId, lead } = await enrolledLead(s);
    expect(await rowsOf(lead.id)).toMatchObject({ welcome: pending, case: pending, tips: pending });
    await ingest(
      s,
      inboundMessage(s.n, { from: { waId, name: "Olga" }, wamid: fakeWamid(`${kind}-${next()}`), at: minutes(5), text: "Again!", referral: adClick() }),
      minutes(5),
    );
    const converted = {
      status: "cancelled",
      errorCode: "converted",
      errorMessage: "A LeadSubmitted conversion was recorded for the lead, so the drip stopped",
    };
    // the series that keeps going after a reply stops too: the conversion stops the whole drip
    expect(await rowsOf(lead.id)).toMatchObject({ welcome: converted, case: converted, tips: converted });
  });

  /** An outgoing-webhook endpoint of the workspace listening to lead.stopped; its events so far. */
  const listenForStops = (s: Shop) =>
    t.db.insert(webhookEndpoints).values({
      tenantId: s.tenantId,
      url: "https://hooks.example.com/stops",
      eventTypes: ["lead.stopped"],
      secretEnc: encryptSecret("whsec_stops", encryptionKey),
    });
  const stopEvents = async (s: Shop) =>
    (await t.db.select().from(outgoingEvents).where(eq(outgoingEvents.tenantId, s.tenantId))).sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.sourceKey.localeCompare(b.sourceKey),
    );
  const leadRow = async (id: string) => (await t.db.select().from(leads).where(eq(leads.id, id)))[0]!;

  it("a reply that stops a lead's series emits lead.stopped (lead_replied) once, for that lead only, in the ingestion's transaction", async () => {
    const s = await shop();
    await listenForStops(s);
    const { waId, lead } = await enrolledLead(s);
    const other = await enrolledLead(s);
    const reply = inboundMessage(s.n, { from: { waId, name: "Olga" }, wamid: fakeWamid(`${kind}-${next()}`), at: minutes(5), text: "How much?" });
    await ingest(s, reply, minutes(5));
    await ingest(s, reply, minutes(6)); // the same webhook again
    await ingest(s, inboundMessage(s.n, { from: { waId, name: "Olga" }, wamid: fakeWamid(`${kind}-${next()}`), at: minutes(7), text: "Hello?" }), minutes(7)); // nothing left to stop
    const evs = await stopEvents(s);
    expect(evs.map((e) => [e.type, e.subscriberId, (e.data as { lead: { id: string } }).lead.id])).toEqual([["lead.stopped", lead.subscriberId, lead.id]]);
    const expected = leadStoppedEvent(await leadRow(lead.id), "lead_replied", minutes(5), (await rowsOf(lead.id)).welcome!.errorMessage!, { automatic: true });
    expect(evs[0]).toMatchObject({ sourceKey: expected.sourceKey, data: expected.data });
    expect(evs[0]!.data).toMatchObject({ reason: "lead_replied", message: expect.stringContaining("The lead replied") });
    expect(other.lead.id).not.toBe(lead.id);
  });

  it("a Purchase conversion through the API emits lead.stopped (converted) in its one statement, as the lead-events builder writes it", async () => {
    const s = await shop();
    await listenForStops(s);
    const { waId, lead } = await enrolledLead(s);
    await enrolledLead(s);
    await convert(s, "ViewContent", waId); // not a stop event: nothing stops
    expect(await stopEvents(s)).toEqual([]);
    await convert(s, "Purchase", waId);
    await convert(s, "Purchase", waId); // nothing left to stop
    const evs = await stopEvents(s);
    expect(evs).toHaveLength(1);
    const expected = leadStoppedEvent(await leadRow(lead.id), "converted", now, "A Purchase conversion was recorded for the lead, so the drip stopped", {
      automatic: true,
    });
    expect({
      type: evs[0]!.type,
      sourceKey: evs[0]!.sourceKey,
      subscriberId: evs[0]!.subscriberId,
      data: evs[0]!.data,
      occurredAt: evs[0]!.occurredAt,
    }).toEqual(expected);
  });

  it("the automatic LeadSubmitted that stops a drip emits lead.stopped (converted)", async () => {
    const s = await shop({ dripStopEvents: ["LeadSubmitted"] }, { autoLead: true });
    await listenForStops(s);
    const { waId, lead } = await enrolledLead(s);
    await ingest(
      s,
      inboundMessage(s.n, { from: { waId, name: "Olga" }, wamid: fakeWamid(`${kind}-${next()}`), at: minutes(5), text: "Again!", referral: adClick() }),
      minutes(5),
    );
    const evs = await stopEvents(s);
    // the conversion (queued with the new conversation) stopped the whole drip first: the reply finds nothing left to stop
    expect(evs.map((e) => [(e.data as { reason: string }).reason, (e.data as { lead: { id: string } }).lead.id])).toEqual([["converted", lead.id]]);
    expect(evs[0]!.data).toMatchObject({ message: "A LeadSubmitted conversion was recorded for the lead, so the drip stopped" });
  });

  const sentTo = (waId: string) => sends.sends.filter((m) => String(m.body.to).replace("+", "") === waId).map((m) => (m.body.text as { body: string }).body);
  const run = (at: Date) => runDrip(t.db, deps, { now: () => at, budgetMs: 10_000 });
  /** The run drains every workspace: rows the other tests left waiting are taken out of its way. */
  const only = (s: Shop) =>
    t.db
      .update(outboundMessages)
      .set({ status: "cancelled", errorCode: "test_isolation" })
      .where(and(ne(outboundMessages.tenantId, s.tenantId), eq(outboundMessages.status, "pending")));

  it("quiet hours 22:00–08:00: a row due at 23:00 in Moscow waits until 08:00 Moscow, then goes once; 10:00 sends", async () => {
    const s = await shop({ quietHoursStart: 22 * 60, quietHoursEnd: 8 * 60 });
    const { waId, lead } = await enrolledLead(s);
    await only(s);
    const first = await run(now);
    expect(first).toMatchObject({ claimed: 1, deferred: 1, sent: 0, failed: 0 });
    expect(sentTo(waId)).toEqual([]);
    const eight = new Date("2031-05-02T05:00:00.000Z"); // 08:00 in Moscow
    expect(await rowsOf(lead.id)).toMatchObject({ welcome: { ...pending, scheduledAt: eight, attempts: 0 } });

    expect(await run(new Date(eight.getTime() - 60_000))).toMatchObject({ claimed: 0 });
    expect(await run(eight)).toMatchObject({ claimed: 1, sent: 1, deferred: 0 });
    expect(sentTo(waId)).toEqual(["Hi Olga!"]);
    // 10:00 in Moscow: the 11-hour tip is due and goes straight away; the welcome is not sent again
    expect(await run(new Date("2031-05-02T07:00:00.000Z"))).toMatchObject({ claimed: 1, sent: 1, deferred: 0 });
    expect(sentTo(waId)).toEqual(["Hi Olga!", "A tip for Olga"]);
    expect(await rowsOf(lead.id)).toMatchObject({ welcome: { status: "sent", attempts: 1 }, tips: { status: "sent", attempts: 1 } });
  });

  it("without quiet hours a row due at 23:00 in Moscow is sent", async () => {
    const s = await shop();
    const { waId, lead } = await enrolledLead(s);
    await only(s);
    expect(await run(now)).toMatchObject({ claimed: 1, sent: 1, deferred: 0 });
    expect(sentTo(waId)).toEqual(["Hi Olga!"]);
    const [row] = await t.db
      .select()
      .from(outboundMessages)
      .where(and(eq(outboundMessages.leadId, lead.id), eq(outboundMessages.templateName, "welcome")));
    expect(row).toMatchObject({ status: "sent", scheduledAt: now });
  });
});
