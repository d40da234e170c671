// The drip run on both drivers against real HTTP fakes of the Cloud API and Green API: the window rule,
// bound templates, opt-outs, stopped campaigns, transient and permanent errors, inactive numbers, leases.
import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueOutbound, insertTenant } from "@/db/queries";
import { leads, outboundMessages, subscribers, templates, tenants, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, graphError, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { type FakeGreenApi, startFakeGreenApi } from "@/e2e/fakes/fake-green-api";
import { type FakeSends, serveCloudMessages, serveGreenSendMessage } from "@/e2e/fakes/fake-senders";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { parseHostRules } from "@/lib/egress";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import { type DripDeps, runDrip } from "./dispatch";
import { enrollLead, stopLeadCampaign } from "./enroll";

const encryptionKey = Buffer.alloc(32, 13).toString("base64");
// the fake Green API listens on 127.0.0.1: the operator allowlist (GREEN_API_HOSTS) lets the tests reach it
const greenEgress = greenEgressPolicy(parseHostRules("127.0.0.1"));
const keys = { encryptionKey, appUrl: "http://x", greenEgress };
const now = new Date("2031-05-01T09:00:00.000Z");
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe.each(testDrivers)("drip run (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let green: FakeGreenApi;
  let cloudSends: FakeSends;
  let greenSends: FakeSends;
  let deps: DripDeps;
  let tenantId = "";
  let cloudId = "";
  let greenId = "";
  let seq = 0;
  const pnid = kind === "pglite" ? "116540352242922" : "126540352242922";

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    green = await startFakeGreenApi();
    cloudSends = serveCloudMessages(graph, { [pnid]: "EAAG-drip" });
    greenSends = serveGreenSendMessage(green, { "1101000001": "green-token" });
    // generous timeouts: a timed-out send may have reached the provider, so it is not retried, and a busy machine must not fire one
    deps = { encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs: 30_000 }, greenTimeoutMs: 30_000, greenEgress };
    tenantId = (await insertTenant(t.db, { name: "Drama school" })).id;
    await t.db
      .update(tenants)
      .set({ segmentVariables: { acting: { instructor_name: "Kazbek" } } })
      .where(eq(tenants.id, tenantId));
    cloudId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Cloud",
          phoneE164: "+15550783881",
          phoneNumberId: pnid,
          wabaId: "102290129340398",
          accessToken: "EAAG-drip",
          appSecret: "s",
        }),
      })
    ).id;
    greenId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "green",
          label: "Green",
          phoneE164: "+15550783882",
          greenApiUrl: green.url,
          greenInstanceId: "1101000001",
          greenApiToken: "green-token",
        }),
      })
    ).id;
    await t.db.insert(templates).values([
      { tenantId, name: "welcome", title: "Welcome", content: "Hi {{first_name}}! {{instructor_name}} will see you at {{course}}.", delayDays: 0 },
      {
        tenantId,
        name: "day1",
        title: "Day 1",
        content: "Day one, {{name}}",
        delayDays: 1,
        metaTemplate: { name: "day1_followup", language: "en_US", parameters: [{ key: "1", variable: "first_name" }] },
      },
      { tenantId, name: "oratory_only", title: "Oratory", content: "Oratory {{name}}", delayDays: 0, segment: "oratory" },
    ]);
  });
  afterAll(async () => {
    await graph.close();
    await green.close();
    await t.cleanup();
  });

  /** A lead (with a subscriber whose 24 h window is open or closed) enrolled now on this number. */
  async function lead(numberId: string, opts: { window?: boolean; windowWith?: string; status?: "active" | "opted_out"; marketing?: "stop" | "resume" } = {}) {
    const phone = `+1415200${String(1000 + (seq += 1))}`;
    const [sub] = await t.db
      .insert(subscribers)
      .values({
        tenantId,
        waPhone: phone,
        waId: phone.slice(1),
        phoneHash: "x",
        profileName: "Anna P",
        firstSeenAt: at(-120),
        lastInboundAt: at(-120),
        status: opts.status ?? "active",
        conversationExpiresAt: opts.window === false ? at(-60) : at(24 * 60 - 1),
        numberId: opts.windowWith ?? numberId, // the number of their newest message: their window is with it
        marketingPreference: opts.marketing ?? null,
        marketingPreferenceAt: opts.marketing ? at(-90) : null,
      })
      .returning();
    const [row] = await t.db.insert(leads).values({ tenantId, name: "Anna Petrova", phone, segment: "acting", numberId, subscriberId: sub!.id }).returning();
    await enrollLead(t.db, { tenantId, leadId: row!.id, now });
    return row!;
  }
  const rowsOf = (leadId: string) => t.db.select().from(outboundMessages).where(eq(outboundMessages.leadId, leadId)).orderBy(outboundMessages.scheduledAt);
  const run = (minutes: number) => runDrip(t.db, deps, { now: () => at(minutes), budgetMs: 5_000, random: () => 0.5 });

  it("enrolls once per template of the segment and sends the due one as text inside the window, rendered at send time", async () => {
    const l = await lead(cloudId);
    expect((await enrollLead(t.db, { tenantId, leadId: l.id, now: at(5) })).queued).toBe(0);
    expect((await rowsOf(l.id)).map((r) => [r.templateName, r.scheduledAt.getTime() - now.getTime()])).toEqual([
      ["welcome", 0],
      ["day1", 86_400_000],
    ]);
    expect(await run(1)).toMatchObject({ claimed: 1, sent: 1, failed: 0 });
    const [welcome, day1] = await rowsOf(l.id);
    expect(welcome).toMatchObject({ status: "sent", renderedText: "Hi Anna! Kazbek will see you at acting.", attempts: 1, errorCode: null });
    const send = cloudSends.sends.find((s) => s.id === welcome!.providerMessageId)!;
    expect(send.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: l.phone,
      type: "text",
      text: { preview_url: false, body: "Hi Anna! Kazbek will see you at acting." },
    });
    expect(day1!.status).toBe("pending");
  });

  it("counts what it sends on the subscriber and the lead in the same write, and nothing for a send that failed", async () => {
    const l = await lead(cloudId);
    const subscriberOf = async () => (await t.db.select().from(subscribers).where(eq(subscribers.id, l.subscriberId!)))[0]!;
    const leadRow = async () => (await t.db.select().from(leads).where(eq(leads.id, l.id)))[0]!;
    expect(await subscriberOf()).toMatchObject({ outboundCount: 0, lastOutboundAt: null, lastOutboundMessageId: null });
    await run(1);
    const [welcome] = await rowsOf(l.id);
    expect(await subscriberOf()).toMatchObject({ outboundCount: 1, lastOutboundAt: at(1), lastOutboundMessageId: welcome!.providerMessageId });
    expect((await leadRow()).lastWhatsappSentAt).toEqual(at(1));

    // earlier tests' day-1 rows would be due too: only this lead's row may meet the scripted failure
    await t.db
      .update(outboundMessages)
      .set({ status: "cancelled" })
      .where(and(eq(outboundMessages.status, "pending"), ne(outboundMessages.leadId, l.id)));
    cloudSends.script(graphError(400, 131026, "(#131026) Message undeliverable"));
    await run(24 * 60 + 1); // day 1 fails: nothing more was sent
    expect((await rowsOf(l.id))[1]).toMatchObject({ status: "failed" });
    expect(await subscriberOf()).toMatchObject({ outboundCount: 1, lastOutboundAt: at(1), lastOutboundMessageId: welcome!.providerMessageId });
    expect((await leadRow()).lastWhatsappSentAt).toEqual(at(1));

    await t.db.update(outboundMessages).set({ status: "pending", nextAttemptAt: null }).where(eq(outboundMessages.leadId, l.id)); // retried by hand
    await t.db.update(outboundMessages).set({ status: "sent" }).where(eq(outboundMessages.id, welcome!.id));
    await run(24 * 60 + 2);
    const [, day1] = await rowsOf(l.id);
    expect(day1).toMatchObject({ status: "sent" });
    expect(await subscriberOf()).toMatchObject({ outboundCount: 2, lastOutboundAt: at(24 * 60 + 2), lastOutboundMessageId: day1!.providerMessageId });
    expect((await leadRow()).lastWhatsappSentAt).toEqual(at(24 * 60 + 2));
  });

  it("outside the window sends the bound approved template, and skips a template without one", async () => {
    const l = await lead(cloudId, { window: false });
    await run(1);
    const [welcome] = await rowsOf(l.id);
    expect(welcome).toMatchObject({ status: "skipped", errorCode: "outside_window" });
    await run(24 * 60 + 1);
    const [, day1] = await rowsOf(l.id);
    expect(day1!.status).toBe("sent");
    expect(cloudSends.sends.find((s) => s.id === day1!.providerMessageId)!.body).toMatchObject({
      type: "template",
      template: { name: "day1_followup", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "Anna" }] }] },
    });
  });

  it("a window open with another of the workspace's numbers leaves this number's closed: the template, not free text", async () => {
    const l = await lead(cloudId, { windowWith: greenId });
    await run(1);
    const [welcome] = await rowsOf(l.id);
    expect(welcome).toMatchObject({ status: "skipped", errorCode: "outside_window" });
  });

  it("sends through Green API to <digits>@c.us", async () => {
    const l = await lead(greenId, { window: false });
    await run(1);
    const [welcome] = await rowsOf(l.id);
    expect(welcome).toMatchObject({ status: "sent" });
    expect(greenSends.sends.find((s) => s.id === welcome!.providerMessageId)!.body).toEqual({
      chatId: `${l.phone.slice(1)}@c.us`,
      message: "Hi Anna! Kazbek will see you at acting.",
    });
  });

  it("never sends to an opted-out subscriber or a stopped campaign: those rows are cancelled", async () => {
    const out = await lead(cloudId, { status: "opted_out" });
    const stopped = await lead(cloudId);
    await t.db.update(leads).set({ campaignActive: false }).where(eq(leads.id, stopped.id)); // stopped between claim and send
    const before = cloudSends.sends.length;
    await run(1);
    expect((await rowsOf(out.id))[0]).toMatchObject({ status: "cancelled", errorCode: "opted_out" });
    expect((await rowsOf(stopped.id))[0]).toMatchObject({ status: "cancelled", errorCode: "campaign_stopped" });
    expect(cloudSends.sends.length).toBe(before);
    expect((await stopLeadCampaign(t.db, { tenantId, leadId: stopped.id, now })).cancelled).toBe(1); // its day-1 row
  });

  it("never queues for nor sends to a customer who stopped marketing messages, and does again after a resume", async () => {
    const stopped = await lead(cloudId, { marketing: "stop" });
    expect(await rowsOf(stopped.id)).toEqual([]);
    const [afterCall] = await t.db.select().from(leads).where(eq(leads.id, stopped.id));
    expect(afterCall).toMatchObject({ isTarget: true, campaignActive: false, enrolledAt: null });
    expect(await enrollLead(t.db, { tenantId, leadId: stopped.id, now })).toMatchObject({
      queued: 0,
      notQueued: { code: "marketing_stopped", message: "The customer stopped marketing messages in WhatsApp" },
    });

    const stopsLater = await lead(cloudId); // enrolled, then the stop is recorded before the run
    await t.db
      .update(subscribers)
      .set({ marketingPreference: "stop", marketingPreferenceAt: at(0) })
      .where(eq(subscribers.id, stopsLater.subscriberId!));
    const resumed = await lead(cloudId, { marketing: "resume" });
    const before = cloudSends.sends.length;
    expect(await run(1)).toMatchObject({ cancelled: 1, sent: 1 });
    expect((await rowsOf(stopsLater.id))[0]).toMatchObject({
      status: "cancelled",
      errorCode: "marketing_stopped",
      errorMessage: "The customer stopped marketing messages in WhatsApp",
    });
    expect((await rowsOf(resumed.id))[0]).toMatchObject({ status: "sent" });
    expect(cloudSends.sends.slice(before).map((s) => s.body.to)).toEqual([resumed.phone]);

    await t.db
      .update(subscribers)
      .set({ marketingPreference: "resume", marketingPreferenceAt: at(2) })
      .where(eq(subscribers.id, stopped.subscriberId!));
    const later = new Date(now.getTime() + 3 * 60_000);
    expect(await enrollLead(t.db, { tenantId, leadId: stopped.id, now: later })).toMatchObject({
      queued: 2,
      notQueued: null,
      lead: { campaignActive: true, enrolledAt: later },
    });
    await stopLeadCampaign(t.db, { tenantId, leadId: stopped.id, now: later }); // out of the later tests' runs
  });

  it("retries a throughput error with backoff and fails a permanent one at once, keeping the provider's code", async () => {
    const busy = await lead(cloudId);
    cloudSends.script(graphError(400, 130429, "(#130429) Rate limit hit"));
    await run(1);
    const [first] = await rowsOf(busy.id);
    expect(first).toMatchObject({ status: "pending", errorCode: "130429", attempts: 1, nextAttemptAt: new Date(at(1).getTime() + 30_000) });
    expect(await run(1.2)).toMatchObject({ claimed: 0 }); // not due again yet
    expect(await run(2)).toMatchObject({ sent: 1 });
    expect((await rowsOf(busy.id))[0]).toMatchObject({ status: "sent", attempts: 2 });

    const gone = await lead(cloudId);
    cloudSends.script(graphError(400, 131026, "(#131026) Message undeliverable"));
    await run(3);
    expect((await rowsOf(gone.id))[0]).toMatchObject({
      status: "failed",
      errorCode: "131026",
      errorMessage: expect.stringContaining("Message undeliverable"),
      providerResponse: { error: { code: 131026 } },
    });
  });

  it("sends nothing for an inactive number, and takes over a crashed run's rows once their lease expires", async () => {
    const paused = await lead(cloudId);
    await t.db.update(whatsappNumbers).set({ active: false }).where(eq(whatsappNumbers.id, cloudId));
    expect(await run(10)).toMatchObject({ claimed: 0 });
    await t.db.update(whatsappNumbers).set({ active: true }).where(eq(whatsappNumbers.id, cloudId));
    const crashed = await claimDueOutbound(t.db, { now: at(11), limit: 10, leaseMs: 120_000 }); // claimed, then the process died
    expect(crashed.map((r) => r.leadId)).toContain(paused.id);
    expect(await run(12)).toMatchObject({ claimed: 0 });
    expect(await run(14)).toMatchObject({ claimed: crashed.length, sent: crashed.length });
    expect((await rowsOf(paused.id))[0]).toMatchObject({ status: "sent", attempts: 2 });
    expect(cloudSends.sends.filter((s) => s.body.to === paused.phone)).toHaveLength(1);
  });
});
