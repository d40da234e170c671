// Remove demo data on both drivers: with real rows added to the workspace after the load (a number, a
// subscriber, leads, a conversion on a demo number, a real message from a demo subscriber's phone), the demo
// rows go, the real ones stay (losing only their links to demo rows), the dashboard counts what is left, and
// the demo loads again.
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { countDemoRows, countDemoTableRows } from "@/db/queries/demo";
import { insertTenant } from "@/db/queries";
import { conversations, conversions, leads, messages, outboundMessages, subscribers, templates, tenants, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { getDashboard } from "@/lib/dashboard";
import { enrollLead } from "@/lib/drip/enroll";
import { createLead } from "@/lib/leads/create";
import { createLeadSchema } from "@/lib/leads/schemas";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { loadDemoData } from "./demo-data";
import { type DemoRemoval, removeDemoData } from "./remove-demo-data";

const encryptionKey = Buffer.alloc(32, 9).toString("base64");
const now = new Date("2025-11-03T09:30:00.000Z");
const later = new Date(now.getTime() + 3_600_000);
const countAll = (db: Db, tenantId: string) => countDemoTableRows(db, tenantId, { demoOnly: false });

describe.each(testDrivers)("removeDemoData (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let otherTenant = "";
  let real: {
    numberId: string;
    subscriberId: string;
    conversationId: string;
    leadId: string;
    pinnedLeadId: string;
    conversionId: string;
    keptSubscriberId: string;
  };
  let demoNumberId = "";
  let removal: DemoRemoval;
  let realQueue = 0;

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Drama school" })).id;
    otherTenant = (await insertTenant(t.db, { name: "Other" })).id;
    await loadDemoData(t.db, { tenantId, now, encryptionKey });
    await loadDemoData(t.db, { tenantId: otherTenant, now, encryptionKey });
    const db = t.db;
    const [demoCloud] = await db
      .select()
      .from(whatsappNumbers)
      .where(and(eq(whatsappNumbers.tenantId, tenantId), eq(whatsappNumbers.provider, "cloud")))
      .limit(1);
    demoNumberId = demoCloud!.id;
    const [demoConversation] = await db.select().from(conversations).where(eq(conversations.tenantId, tenantId)).limit(1);

    // real rows, written after the load
    const keys = { encryptionKey, appUrl: "http://x" };
    const numberId = (
      await createNumber(db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Real line",
          phoneE164: "+15550783881",
          phoneNumberId: "106540352242922",
          wabaId: "102290129340398",
          accessToken: "EAAG-real",
          appSecret: "s",
        }),
      })
    ).id;
    const [sub] = await db
      .insert(subscribers)
      .values({ tenantId, waPhone: "+15550001111", waId: "15550001111", numberId, firstSeenAt: later, lastInboundAt: later, inboundCount: 1 })
      .returning();
    const [conv] = await db
      .insert(conversations)
      .values({ tenantId, subscriberId: sub!.id, numberId, startedAt: later, lastMessageAt: later, windowExpiresAt: new Date(later.getTime() + 86_400_000) })
      .returning();
    await db.insert(messages).values({
      tenantId,
      subscriberId: sub!.id,
      conversationId: conv!.id,
      numberId,
      direction: "inbound",
      wamid: "wamid.real-1",
      type: "text",
      textPreview: "Hi",
      status: "received",
      providerTimestamp: later,
    });
    // the website form: no number asked for, so the default one (the real number, not a demo one); enrolled on demo templates
    const { lead } = await createLead(db, { tenantId, input: createLeadSchema.parse({ name: "Real Lead", phone: "+12125550198" }), now: later });
    expect(lead.numberId).toBe(numberId);
    await enrollLead(db, { tenantId, leadId: lead.id, now: later });
    realQueue = (await db.select({ n: count() }).from(outboundMessages).where(eq(outboundMessages.leadId, lead.id)))[0]!.n;
    const pinned = await createLead(db, {
      tenantId,
      input: createLeadSchema.parse({ name: "Pinned Lead", phone: "+14155552671", numberId: demoNumberId }),
      now: later,
    });
    const [conversion] = await db
      .insert(conversions)
      .values({
        tenantId,
        numberId: demoNumberId,
        conversationId: demoConversation!.id,
        eventId: "real-test-1",
        eventName: "LeadSubmitted",
        eventTime: later,
        requestHash: "h",
        source: "console_test",
      })
      .returning();
    // a demo subscriber's phone writes for real, through the real number
    const [demoSub] = await db
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, tenantId), eq(subscribers.demo, true), eq(subscribers.status, "active")))
      .limit(1);
    const [realConv] = await db
      .insert(conversations)
      .values({
        tenantId,
        subscriberId: demoSub!.id,
        numberId,
        startedAt: later,
        lastMessageAt: later,
        windowExpiresAt: new Date(later.getTime() + 86_400_000),
      })
      .returning();
    await db.insert(messages).values({
      tenantId,
      subscriberId: demoSub!.id,
      conversationId: realConv!.id,
      numberId,
      direction: "inbound",
      wamid: "wamid.real-2",
      type: "text",
      textPreview: "Hello again",
      status: "received",
      providerTimestamp: later,
    });
    await db
      .update(subscribers)
      .set({ inboundCount: demoSub!.inboundCount + 1, lastInboundAt: later, numberId, conversationId: realConv!.id })
      .where(eq(subscribers.id, demoSub!.id));

    real = {
      numberId,
      subscriberId: sub!.id,
      conversationId: conv!.id,
      leadId: lead.id,
      pinnedLeadId: pinned.lead.id,
      conversionId: conversion!.id,
      keptSubscriberId: demoSub!.id,
    };
    removal = await removeDemoData(db, { tenantId, now: later });
  });
  afterAll(() => t.cleanup());

  it("leaves no demo row in the workspace, and the other workspace's demo untouched", async () => {
    expect(Object.values(await countDemoRows(t.db, tenantId)).every((n) => n === 0)).toBe(true);
    const other = await countDemoRows(t.db, otherTenant);
    expect(other).toMatchObject({ numbers: 3, subscribers: 300, ads: 8, templates: 6 });
    expect(removal.removed).toMatchObject({ numbers: 3, subscribers: 299, ads: 8, templates: 3, webhookEvents: 20 });
    expect(removal.removed.leads).toBe(other.leads);
    expect(removal.removed.messages).toBe(other.messages);
    expect(removal.kept).toEqual({ subscribers: 1, ads: 0, templates: 3 });
  });

  it("keeps every real row, losing only links to demo rows", async () => {
    const db = t.db;
    expect((await db.select().from(whatsappNumbers).where(eq(whatsappNumbers.tenantId, tenantId))).map((n) => n.id)).toEqual([real.numberId]);
    expect(await db.select({ id: subscribers.id }).from(subscribers).where(eq(subscribers.id, real.subscriberId))).toHaveLength(1);
    expect(await db.select({ id: messages.id }).from(messages).where(eq(messages.conversationId, real.conversationId))).toHaveLength(1);
    const [lead] = await db.select().from(leads).where(eq(leads.id, real.leadId));
    expect(lead).toMatchObject({ numberId: real.numberId, campaignActive: true });
    expect((await db.select({ n: count() }).from(outboundMessages).where(eq(outboundMessages.leadId, real.leadId)))[0]!.n).toBe(realQueue);
    expect((await db.select().from(leads).where(eq(leads.id, real.pinnedLeadId)))[0]).toMatchObject({ numberId: null });
    expect((await db.select().from(conversions).where(eq(conversions.id, real.conversionId)))[0]).toMatchObject({ numberId: null, conversationId: null });
  });

  it("keeps the templates real leads still wait on, as real templates", async () => {
    const left = await t.db.select().from(templates).where(eq(templates.tenantId, tenantId));
    expect(left.map((tpl) => tpl.name).sort()).toEqual(["day3", "day7", "welcome"]);
    expect(left.every((tpl) => !tpl.demo)).toBe(true);
  });

  it("keeps a demo subscriber who also wrote for real, rebuilt from the real messages alone", async () => {
    const [kept] = await t.db.select().from(subscribers).where(eq(subscribers.id, real.keptSubscriberId));
    expect(kept).toMatchObject({
      demo: false,
      inboundCount: 1,
      outboundCount: 0,
      firstSeenAt: later,
      lastInboundAt: later,
      lastOutboundAt: null,
      firstTouchConversationId: null,
      lastTouchConversationId: null,
      firstTouchSource: null,
      firstTouchAdId: null,
      firstTouchCampaignId: null,
      hasClickId: false,
    });
    const [conv] = await t.db.select().from(conversations).where(eq(conversations.subscriberId, real.keptSubscriberId));
    expect(kept?.conversationId).toBe(conv?.id);
  });

  it("clears the demo mark and its segment values; the dashboard counts the real rows", async () => {
    const [tenant] = await t.db.select().from(tenants).where(eq(tenants.id, tenantId));
    expect(tenant).toMatchObject({ demoLoadedAt: null, segmentVariables: {} });
    const counts = await countAll(t.db, tenantId);
    expect(counts).toMatchObject({
      numbers: 1,
      subscribers: 2,
      conversations: 2,
      messages: 2,
      ads: 0,
      templates: 3,
      leads: 2,
      conversions: 1,
      webhookEvents: 0,
    });
    const { counts: dashboard } = await getDashboard(t.db, { tenantId, now: later });
    expect(dashboard).toMatchObject({
      numbers: 1,
      activeNumbers: 1,
      subscribers: 2,
      conversations7d: 2,
      adConversations7d: 0,
      queueFailed: 0,
      conversionsSent: 0,
    });
    expect(dashboard.queuePending).toBe(counts.outboundMessages);
  });

  it("loads the demo again around what the workspace now holds, and removes it again", async () => {
    const again = await loadDemoData(t.db, { tenantId, now: later, encryptionKey });
    expect(again).toMatchObject({ skipped: false, numbers: 3, subscribers: 300, templates: 3 });
    const phones = await t.db.select({ phone: subscribers.waPhone }).from(subscribers).where(eq(subscribers.tenantId, tenantId));
    expect(new Set(phones.map((p) => p.phone)).size).toBe(302);
    const second = await removeDemoData(t.db, { tenantId, now: later });
    expect(second.removed).toMatchObject({ numbers: 3, subscribers: 300, templates: 3 });
    expect(await countAll(t.db, tenantId)).toMatchObject({ numbers: 1, subscribers: 2, templates: 3, leads: 2 });
  });
});
