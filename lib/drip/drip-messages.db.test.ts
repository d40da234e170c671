// A drip send is recorded like a reply (issue 21): one outbound messages row with the provider's id (statuses move
// it), applied to the person's chat, and shown once in the transcript. Both drivers, fake Cloud and Green APIs on
// loopback, status webhooks signed and ingested as Meta sends them.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beginOutboundSends, claimDueOutbound, failUnconfirmedOutbound, finishOutbounds, insertTenant, markPhoneNumberIdProven } from "@/db/queries";
import { chats, leads, messages, outboundMessages, subscribers, templates, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { type FakeGreenApi, startFakeGreenApi } from "@/e2e/fakes/fake-green-api";
import { type FakeSends, serveCloudMessages, serveGreenSendMessage } from "@/e2e/fakes/fake-senders";
import { parseHostRules } from "@/lib/egress";
import { getTranscript } from "@/lib/inbox/transcript";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import { inboundMessage, type PayloadNumber, statusUpdates } from "@/lib/whatsapp/payloads";
import { receiveCloudWebhook } from "@/lib/whatsapp/receive";
import { signMetaBody } from "@/lib/whatsapp/signature";
import { type DripDeps, runDrip } from "./dispatch";
import { enrollLead } from "./enroll";

const encryptionKey = Buffer.alloc(32, 17).toString("base64");
const greenEgress = greenEgressPolicy(parseHostRules("127.0.0.1"));
const APP_SECRET = "drip-messages-secret";
const WABA = "102290129340777";
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe.each(testDrivers)("drip sends as messages (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let green: FakeGreenApi;
  let cloudSends: FakeSends;
  let greenSends: FakeSends;
  let deps: DripDeps;
  let tenantId = "";
  let cloud: { id: string; payload: PayloadNumber };
  let greenId = "";
  let seq = 0;
  const pnid = kind === "pglite" ? "116540352249001" : "126540352249001";
  const greenInstance = kind === "pglite" ? "1101009001" : "1101009002";

  async function deliverCloud(body: unknown) {
    const rawBody = JSON.stringify(body);
    const headers = new Headers({ "content-type": "application/json", "x-hub-signature-256": signMetaBody(rawBody, APP_SECRET) });
    const received = await receiveCloudWebhook(t.db, { encryptionKey }, { rawBody, headers });
    expect(received.status).toBe(200);
    const summary = await processWebhookEvents(t.db, { ids: [(received.body as { eventId: string }).eventId], now: new Date() });
    expect(summary.outcomes[0]).toMatchObject({ status: "processed", error: null });
  }

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    green = await startFakeGreenApi();
    cloudSends = serveCloudMessages(graph, { [pnid]: "EAAG-drip-messages" });
    greenSends = serveGreenSendMessage(green, { [greenInstance]: "green-token" });
    deps = { encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs: 30_000 }, greenTimeoutMs: 30_000, greenEgress };
    tenantId = (await insertTenant(t.db, { name: "Drip messages" })).id;
    const keys = { encryptionKey, appUrl: "http://x", greenEgress };
    const c = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "cloud",
        label: "Cloud",
        phoneE164: "+15550789001",
        phoneNumberId: pnid,
        wabaId: WABA,
        accessToken: "EAAG-drip-messages",
        appSecret: APP_SECRET,
      }),
    });
    await markPhoneNumberIdProven(t.db, { tenantId, id: c.id, at: new Date() });
    cloud = { id: c.id, payload: { phoneNumberId: pnid, displayPhoneNumber: "15550789001", wabaId: WABA } };
    greenId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "green",
          label: "Green",
          phoneE164: "+15550789002",
          greenApiUrl: green.url,
          greenInstanceId: greenInstance,
          greenApiToken: "green-token",
        }),
      })
    ).id;
    await t.db.update(whatsappNumbers).set({ sendRatePerSecond: 80 }).where(eq(whatsappNumbers.tenantId, tenantId));
    // one template per segment, so each lead queues exactly the row its test sends
    await t.db.insert(templates).values([
      { tenantId, name: "welcome", title: "Welcome", content: "Hi {{first_name}}, welcome!", delayDays: 0, segment: "open" },
      {
        tenantId,
        name: "nudge",
        title: "Nudge",
        content: "Still there, {{first_name}}?",
        delayDays: 0,
        segment: "closed",
        metaTemplate: { name: "nudge_approved", language: "en_US", parameters: [{ key: "1", variable: "first_name" }] },
      },
    ]);
  });
  afterAll(async () => {
    await graph.close();
    await green.close();
    await t.cleanup();
  });

  const phone = () => `+1415300${String(1000 + (seq += 1))}`;

  /** A person who wrote to the Cloud number a minute ago (subscriber, conversation and chat from a real webhook). */
  async function writer(name: string) {
    const p = phone();
    await deliverCloud(inboundMessage(cloud.payload, { from: { waId: p.slice(1), name }, wamid: `wamid.IN.${p}`, at: at(-60), text: "hello" }));
    const [s] = await t.db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.waPhone, p)));
    return s!;
  }

  async function enrolled(opts: { phone: string; segment: string; numberId: string; subscriberId: string | null }) {
    const [row] = await t.db
      .insert(leads)
      .values({ tenantId, name: "Anna Petrova", phone: opts.phone, segment: opts.segment, numberId: opts.numberId, subscriberId: opts.subscriberId })
      .returning();
    await enrollLead(t.db, { tenantId, leadId: row!.id, now: at(-30) });
    return row!;
  }
  const queueOf = async (leadId: string) => (await t.db.select().from(outboundMessages).where(eq(outboundMessages.leadId, leadId)))[0]!;
  const messagesOf = (subscriberId: string) => t.db.select().from(messages).where(eq(messages.subscriberId, subscriberId));
  const chatsOf = (subscriberId: string) => t.db.select().from(chats).where(eq(chats.subscriberId, subscriberId));
  const run = () => runDrip(t.db, deps, { now: () => at(1), budgetMs: 5_000 });

  it("records a text sent inside the window once: in the conversation, on the chat, moved by status webhooks, once in the transcript", async () => {
    const s = await writer("Anna P");
    const [chatBefore] = await chatsOf(s.id);
    const lead = await enrolled({ phone: s.waPhone!, segment: "open", numberId: cloud.id, subscriberId: s.id });
    expect(await run()).toMatchObject({ sent: 1 });
    const row = await queueOf(lead.id);
    expect(row).toMatchObject({ status: "sent", renderedText: "Hi Anna, welcome!" });
    expect(cloudSends.sends.find((x) => x.id === row.providerMessageId)!.body).toMatchObject({ type: "text" });

    const outbound = (await messagesOf(s.id)).filter((m) => m.direction === "outbound");
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({
      tenantId,
      numberId: cloud.id,
      conversationId: chatBefore!.latestConversationId,
      wamid: row.providerMessageId,
      type: "text",
      textPreview: "Hi Anna, welcome!",
      status: "sent",
      sentAt: at(1),
      providerTimestamp: at(1),
      sentByUserId: null,
      demo: false,
    });
    expect(chatBefore!.latestConversationId).not.toBeNull();
    expect(outbound[0]!.payload).toEqual({
      type: "text",
      drip_outbound_id: row.id,
      drip_template_id: row.templateId,
      drip_template_name: "welcome",
    });
    const chatRows = await chatsOf(s.id);
    expect(chatRows).toHaveLength(1);
    expect(chatRows[0]).toMatchObject({
      id: chatBefore!.id,
      lastMessageId: outbound[0]!.id,
      lastMessageAt: at(1),
      lastMessageDirection: "outbound",
      lastMessageType: "text",
      lastMessagePreview: "Hi Anna, welcome!",
      unreadCount: chatBefore!.unreadCount, // a send is never unread
      lastInboundAt: chatBefore!.lastInboundAt,
    });

    await deliverCloud(statusUpdates(cloud.payload, [{ wamid: row.providerMessageId!, recipient: s.waPhone!.slice(1), status: "delivered", at: at(2) }]));
    expect((await messagesOf(s.id)).find((m) => m.id === outbound[0]!.id)).toMatchObject({ status: "delivered", deliveredAt: at(2) });
    await deliverCloud(statusUpdates(cloud.payload, [{ wamid: row.providerMessageId!, recipient: s.waPhone!.slice(1), status: "read", at: at(3) }]));
    expect((await messagesOf(s.id)).find((m) => m.id === outbound[0]!.id)).toMatchObject({ status: "read", readAt: at(3) });
    expect(await queueOf(lead.id)).toMatchObject({ status: "sent", deliveredAt: at(2), readAt: at(3) });

    const transcript = await getTranscript(t.db, { tenantId, chatId: chatBefore!.id, limit: 50 });
    const sent = transcript.rows.filter((m) => m.direction === "outbound");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      id: outbound[0]!.id,
      text: "Hi Anna, welcome!",
      status: "read",
      readAt: at(3),
      sentBy: null,
      drip: { outboundId: row.id, templateId: row.templateId, templateName: "welcome", metaTemplate: null },
    });
    expect(transcript.rows.filter((m) => m.direction === "inbound").map((m) => m.drip)).toEqual([null]);
  });

  it("records the approved template sent outside the window, creating the chat of a person who has none on that number", async () => {
    const p = phone();
    const [s] = await t.db
      .insert(subscribers)
      .values({ tenantId, waPhone: p, waId: p.slice(1), phoneHash: "x", profileName: "Bo", firstSeenAt: at(-9_000), conversationExpiresAt: at(-3_600) })
      .returning();
    const lead = await enrolled({ phone: p, segment: "closed", numberId: cloud.id, subscriberId: s!.id });
    expect(await chatsOf(s!.id)).toHaveLength(0);
    expect(await run()).toMatchObject({ sent: 1 });
    const row = await queueOf(lead.id);
    expect(cloudSends.sends.find((x) => x.id === row.providerMessageId)!.body).toMatchObject({ type: "template" });
    const [m, ...more] = await messagesOf(s!.id);
    expect(more).toHaveLength(0);
    expect(m).toMatchObject({ direction: "outbound", wamid: row.providerMessageId, type: "template", textPreview: "Still there, Anna?", conversationId: null });
    expect(m!.payload).toMatchObject({ type: "template", template: { name: "nudge_approved", language: "en_US" }, drip_template_name: "nudge" });
    const chatRows = await chatsOf(s!.id);
    expect(chatRows).toHaveLength(1);
    expect(chatRows[0]).toMatchObject({
      numberId: cloud.id,
      lastMessageId: m!.id,
      lastMessageType: "template",
      lastMessageDirection: "outbound",
      unreadCount: 0,
      latestConversationId: null,
      demo: false,
    });
    const transcript = await getTranscript(t.db, { tenantId, chatId: chatRows[0]!.id, limit: 50 });
    expect(transcript.rows).toHaveLength(1);
    expect(transcript.rows[0]).toMatchObject({
      type: "template",
      text: "Still there, Anna?",
      drip: { templateName: "nudge", metaTemplate: { name: "nudge_approved", language: "en_US" } },
    });
  });

  it("records a Green API send as text with Green's id; a lead with no known subscriber leaves no message", async () => {
    const s = await writer("Cy");
    const lead = await enrolled({ phone: s.waPhone!, segment: "open", numberId: greenId, subscriberId: s.id });
    const stranger = await enrolled({ phone: phone(), segment: "open", numberId: greenId, subscriberId: null });
    const before = (await t.db.select({ id: messages.id }).from(messages).where(eq(messages.tenantId, tenantId))).length;
    expect(await run()).toMatchObject({ sent: 2 });
    const row = await queueOf(lead.id);
    expect(greenSends.sends.find((x) => x.id === row.providerMessageId)).toBeDefined();
    const outbound = (await messagesOf(s.id)).filter((m) => m.direction === "outbound");
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({ numberId: greenId, wamid: row.providerMessageId, type: "text", textPreview: "Hi Anna, welcome!", status: "sent" });
    // the person wrote to the Cloud number: the Green one gets a chat of its own
    const chatRows = await chatsOf(s.id);
    expect(chatRows.map((c) => c.numberId).sort()).toEqual([cloud.id, greenId].sort());
    expect(chatRows.find((c) => c.numberId === greenId)).toMatchObject({ lastMessageId: outbound[0]!.id, unreadCount: 0 });
    expect(await queueOf(stranger.id)).toMatchObject({ status: "sent" });
    expect((await t.db.select({ id: messages.id }).from(messages).where(eq(messages.tenantId, tenantId))).length).toBe(before + 1);
  });

  it("a late answer after send_unconfirmed is recorded once; a repeated finish and an early status add no second row", async () => {
    const s = await writer("Di");
    const lead = await enrolled({ phone: s.waPhone!, segment: "open", numberId: cloud.id, subscriberId: s.id });
    const dying = "00000000-0000-4000-8000-0000000dead2";
    const claimed = (await claimDueOutbound(t.db, { now: at(1), limit: 50, leaseMs: 60_000, runId: dying })).filter((r) => r.leadId === lead.id);
    expect(claimed).toHaveLength(1);
    const row = claimed[0]!;
    await t.db
      .update(whatsappNumbers)
      .set({ dripLeaseOwner: dying, dripLeaseUntil: at(61) })
      .where(eq(whatsappNumbers.id, cloud.id));
    const begin = { id: row.id, runId: dying, attempts: row.attempts, numberId: row.numberId, now: at(1), until: at(61) };
    expect(await beginOutboundSends(t.db, [begin])).toEqual([true]);
    await t.db.update(whatsappNumbers).set({ dripLeaseOwner: null, dripLeaseUntil: null }).where(eq(whatsappNumbers.id, cloud.id));
    expect(await failUnconfirmedOutbound(t.db, { now: at(62) })).toBeGreaterThanOrEqual(1);
    expect(await queueOf(lead.id)).toMatchObject({ status: "failed", errorCode: "send_unconfirmed" });

    // the provider's status comes before the answer: it matches nothing yet and stores nothing
    const wamid = `wamid.late.${kind}`;
    await deliverCloud(statusUpdates(cloud.payload, [{ wamid, recipient: s.waPhone!.slice(1), status: "sent", at: at(2) }]));
    expect((await messagesOf(s.id)).filter((m) => m.direction === "outbound")).toHaveLength(0);

    const finish = {
      id: row.id,
      runId: dying,
      attempts: row.attempts,
      outcome: { status: "sent" as const, providerMessageId: wamid, sentAt: at(2), errorCode: null, errorMessage: null, renderedText: "Hi Di, welcome!" },
      now: at(70),
      sentAs: { type: "text" as const },
    };
    expect(await finishOutbounds(t.db, [finish, finish])).toEqual([true, true]);
    expect(await finishOutbounds(t.db, [finish])).toEqual([false]);
    const outbound = (await messagesOf(s.id)).filter((m) => m.direction === "outbound");
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({ wamid, status: "sent", textPreview: "Hi Di, welcome!", sentAt: at(2) });
    expect(await queueOf(lead.id)).toMatchObject({ status: "sent", providerMessageId: wamid, errorCode: null });
    expect((await t.db.select().from(subscribers).where(eq(subscribers.id, s.id)))[0]).toMatchObject({ outboundCount: 1, lastOutboundMessageId: wamid });
    expect((await chatsOf(s.id))[0]).toMatchObject({ lastMessageId: outbound[0]!.id });

    await deliverCloud(statusUpdates(cloud.payload, [{ wamid, recipient: s.waPhone!.slice(1), status: "delivered", at: at(80) }]));
    const [moved, ...none] = (await messagesOf(s.id)).filter((m) => m.direction === "outbound");
    expect(none).toHaveLength(0);
    expect(moved).toMatchObject({ id: outbound[0]!.id, status: "delivered", deliveredAt: at(80) });
  });
});
