// Leads on both drivers: creating one (default sending number, subscriber link, externalRef idempotency),
// the list's filters and queue counts, and the call flow of seeds/003 (Yes enrolls, No, No answer, stop).
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertNumber, insertTenant, insertUser } from "@/db/queries";
import { type NewWhatsappNumber, leads, outboundMessages, subscribers, templates } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { AppError } from "@/lib/errors";
import { recordCall, stopCampaign, updateLead } from "./call";
import { createLead } from "./create";
import { getLead, listLeads } from "./read";
import { type LeadFilters, parseCreateLead, parseLeadPatch } from "./schemas";

const DAY = 86_400_000;
const T0 = new Date("2026-11-20T09:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe.each(testDrivers)("leads (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let otherTenantId = "";
  let userId = "";
  const numbers = { gupshup: "", inactiveCloud: "", green: "", cloud: "", other: "" };
  let seq = 0;

  const number = async (over: Partial<NewWhatsappNumber> & Pick<NewWhatsappNumber, "provider">) => {
    seq += 1;
    return (
      await insertNumber(t.db, {
        tenantId,
        label: `Line ${seq}`,
        phoneE164: `+1555078${String(seq).padStart(4, "0")}`,
        verifyToken: `verify-${kind}-${seq}`,
        ...over,
      })
    ).id;
  };
  const create = (body: Record<string, unknown>, now = at((seq += 1)), tenant = tenantId) =>
    createLead(t.db, { tenantId: tenant, input: parseCreateLead(body), now });
  const queueOf = (leadId: string) => t.db.select().from(outboundMessages).where(eq(outboundMessages.leadId, leadId)).orderBy(outboundMessages.scheduledAt);

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Drama school" })).id;
    otherTenantId = (await insertTenant(t.db, { name: "Other school" })).id;
    userId = (await insertUser(t.db, { tenantId, email: `maya-${kind}@leads.test`, name: "Maya Manager", role: "manager", passwordHash: "x" })).id;
    numbers.gupshup = await number({ provider: "gupshup", createdAt: at(-50) });
    numbers.inactiveCloud = await number({ provider: "cloud", active: false, createdAt: at(-40) });
    numbers.green = await number({ provider: "green", createdAt: at(-30) });
    numbers.cloud = await number({ provider: "cloud", createdAt: at(-20) });
    numbers.other = (
      await insertNumber(t.db, { tenantId: otherTenantId, label: "Theirs", phoneE164: "+15550789999", provider: "cloud", verifyToken: `verify-${kind}-other` })
    ).id;
    await t.db.insert(subscribers).values({ tenantId, waPhone: "+79001234567", profileName: "Anna K", firstSeenAt: at(-60) });
    await t.db.insert(templates).values([
      { tenantId, name: "welcome", title: "Welcome", content: "Hi {{name}}!", delayDays: 0 },
      { tenantId, name: "day1_acting", title: "Acting, day 1", content: "Day 1", delayDays: 1, segment: "acting" },
      { tenantId, name: "day1_oratory", title: "Oratory, day 1", content: "Day 1", delayDays: 1, segment: "oratory" },
      { tenantId, name: "day3", title: "A student's story", content: "Day 3", delayDays: 3, delayHours: 2 },
      { tenantId, name: "day5_case", title: "Case, day 5", content: "Day 5", delayDays: 5, active: false },
    ]);
  });
  afterAll(() => t.cleanup());

  describe("creating", () => {
    it("normalises the phone, picks the oldest active Cloud or Green API number and links the subscriber", async () => {
      const { lead, duplicate } = await create({ name: " Anna ", phone: "+7 (900) 123-45-67", segment: "acting", source: "website" });
      expect(duplicate).toBe(false);
      expect(lead).toMatchObject({
        name: "Anna",
        phone: "+79001234567",
        segment: "acting",
        source: "website",
        callStatus: "not_called",
        isTarget: null,
        campaignActive: false,
        numberId: numbers.green,
      });
      const [sub] = await t.db.select({ id: subscribers.id }).from(subscribers).where(eq(subscribers.waPhone, "+79001234567"));
      expect(lead.subscriberId).toBe(sub!.id);
      const stranger = await create({ name: "Boris", phone: "+7 900 765-43-21" });
      expect(stranger.lead).toMatchObject({ subscriberId: null, segment: null, numberId: numbers.green });
    });

    it("uses the number asked for, refuses another tenant's and a Gupshup one, and has none when the tenant has no sending number", async () => {
      expect((await create({ name: "Vera", phone: "+79001110001", numberId: numbers.cloud })).lead.numberId).toBe(numbers.cloud);
      await expect(create({ name: "Vera", phone: "+79001110001", numberId: numbers.other })).rejects.toMatchObject({
        code: "not_found",
        reason: "number_not_found",
      });
      await expect(create({ name: "Vera", phone: "+79001110001", numberId: numbers.gupshup })).rejects.toMatchObject({
        code: "unprocessable",
        reason: "number_cannot_send",
      });
      const bare = (await insertTenant(t.db, { name: "No numbers" })).id;
      expect((await create({ name: "Gleb", phone: "+79001110002" }, at(1), bare)).lead.numberId).toBeNull();
    });

    it("returns the first lead for a repeated externalRef, per tenant", async () => {
      const first = await create({ name: "Dina", phone: "+79001110003", externalRef: `form-${kind}-1` });
      const again = await create({ name: "Dina D.", phone: "+79001110004", externalRef: `form-${kind}-1` });
      expect(again).toEqual({ lead: first.lead, duplicate: true });
      const elsewhere = await create({ name: "Dina", phone: "+79001110003", externalRef: `form-${kind}-1` }, at(2), otherTenantId);
      expect(elsewhere.duplicate).toBe(false);
      expect(elsewhere.lead.id).not.toBe(first.lead.id);
      const rows = await t.db
        .select()
        .from(leads)
        .where(and(eq(leads.tenantId, tenantId), eq(leads.externalRef, `form-${kind}-1`)));
      expect(rows).toHaveLength(1);
      // without an externalRef every request is a new lead
      const a = await create({ name: "Egor", phone: "+79001110005" });
      const b = await create({ name: "Egor", phone: "+79001110005" });
      expect(a.lead.id).not.toBe(b.lead.id);
    });

    it("keeps one lead when the same externalRef arrives many times at once", async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => create({ name: "Fedor", phone: "+79001110006", externalRef: `form-${kind}-race` })));
      expect(new Set(results.map((r) => r.lead.id)).size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    });
  });

  describe("the call flow", () => {
    it("Called → Yes enrolls: one pending message per active template of the segment, scheduled from now", async () => {
      const { lead } = await create({ name: "Galina", phone: "+79001110010", segment: "acting" });
      const now = at(100);
      const outcome = await recordCall(t.db, { tenantId, leadId: lead.id, callStatus: "called", isTarget: true, userId, now });
      expect(outcome.queued).toBe(3);
      expect(outcome.lead).toMatchObject({ callStatus: "called", isTarget: true, campaignActive: true, enrolledAt: now, assignedUserId: userId });
      const rows = await queueOf(lead.id);
      expect(rows.map((r) => [r.templateName, r.status, r.scheduledAt.getTime() - now.getTime(), r.numberId, r.phone])).toEqual([
        ["welcome", "pending", 0, numbers.green, "+79001110010"],
        ["day1_acting", "pending", DAY, numbers.green, "+79001110010"],
        ["day3", "pending", 3 * DAY + 2 * 3_600_000, numbers.green, "+79001110010"],
      ]);
      // answering Yes again queues nothing new
      expect((await recordCall(t.db, { tenantId, leadId: lead.id, callStatus: "called", isTarget: true, now: at(200) })).queued).toBe(0);
      expect(await queueOf(lead.id)).toHaveLength(3);

      const detail = await getLead(t.db, { tenantId, id: lead.id });
      expect(detail.messages.map((m) => [m.templateName, m.templateTitle, m.status])).toEqual([
        ["welcome", "Welcome", "pending"],
        ["day1_acting", "Acting, day 1", "pending"],
        ["day3", "A student's story", "pending"],
      ]);
      expect(detail.number).toMatchObject({ id: numbers.green, provider: "green" });
      expect(detail.assignedUser).toEqual({ id: userId, name: "Maya Manager" });
    });

    it("Called → No records not-target and queues nothing; No after Yes cancels what is pending", async () => {
      const { lead } = await create({ name: "Dmitry", phone: "+79001110011", segment: "oratory" });
      const no = await recordCall(t.db, { tenantId, leadId: lead.id, callStatus: "called", isTarget: false, now: at(300) });
      expect(no).toMatchObject({ queued: 0, cancelled: 0, lead: { callStatus: "called", isTarget: false, campaignActive: false, enrolledAt: null } });
      expect(await queueOf(lead.id)).toHaveLength(0);

      const { lead: other } = await create({ name: "Inna", phone: "+79001110012", segment: "oratory" });
      await recordCall(t.db, { tenantId, leadId: other.id, callStatus: "called", isTarget: true, now: at(310) });
      const changed = await recordCall(t.db, { tenantId, leadId: other.id, callStatus: "called", isTarget: false, now: at(320) });
      expect(changed).toMatchObject({ queued: 0, cancelled: 3, lead: { isTarget: false, campaignActive: false } });
      expect((await queueOf(other.id)).map((r) => [r.status, r.errorCode])).toEqual(Array(3).fill(["cancelled", "campaign_stopped"]));
    });

    it("No answer only records the call; Called without an answer leaves the question open", async () => {
      const { lead } = await create({ name: "Kira", phone: "+79001110013", segment: "acting" });
      const outcome = await recordCall(t.db, { tenantId, leadId: lead.id, callStatus: "no_answer", isTarget: true, now: at(400) });
      expect(outcome).toMatchObject({ queued: 0, cancelled: 0, lead: { callStatus: "no_answer", isTarget: null, campaignActive: false } });
      expect(await queueOf(lead.id)).toHaveLength(0);
      const called = await recordCall(t.db, { tenantId, leadId: lead.id, callStatus: "called", now: at(410) });
      expect(called.lead).toMatchObject({ callStatus: "called", isTarget: null, campaignActive: false });
    });

    it("stopping a campaign cancels only pending messages", async () => {
      const { lead } = await create({ name: "Lev", phone: "+79001110014", segment: "acting" });
      await recordCall(t.db, { tenantId, leadId: lead.id, callStatus: "called", isTarget: true, now: at(500) });
      const [welcome] = await queueOf(lead.id);
      await t.db
        .update(outboundMessages)
        .set({ status: "sent", sentAt: at(501) })
        .where(eq(outboundMessages.id, welcome!.id));
      const stopped = await stopCampaign(t.db, { tenantId, leadId: lead.id, now: at(600) });
      expect(stopped).toMatchObject({ cancelled: 2, lead: { campaignActive: false, isTarget: true } });
      expect((await queueOf(lead.id)).map((r) => r.status)).toEqual(["sent", "cancelled", "cancelled"]);
    });

    it("refuses another tenant's lead", async () => {
      const { lead } = await create({ name: "Mila", phone: "+79001110015" });
      await expect(recordCall(t.db, { tenantId: otherTenantId, leadId: lead.id, callStatus: "called", isTarget: true, now: at(700) })).rejects.toMatchObject({
        code: "not_found",
      });
      await expect(getLead(t.db, { tenantId: otherTenantId, id: lead.id })).rejects.toBeInstanceOf(AppError);
      expect(await queueOf(lead.id)).toHaveLength(0);
    });

    it("the API's patch: isTarget alone means called; campaignActive false stops", async () => {
      const { lead } = await create({ name: "Nina", phone: "+79001110016", segment: "acting" });
      const yes = await updateLead(t.db, { tenantId, leadId: lead.id, patch: parseLeadPatch({ isTarget: true }), now: at(800) });
      expect(yes).toMatchObject({ queued: 3, lead: { callStatus: "called", isTarget: true, campaignActive: true } });
      const stop = await updateLead(t.db, { tenantId, leadId: lead.id, patch: parseLeadPatch({ campaignActive: false }), now: at(810) });
      expect(stop).toMatchObject({ cancelled: 3, lead: { campaignActive: false } });
      const none = await updateLead(t.db, { tenantId, leadId: lead.id, patch: parseLeadPatch({ callStatus: "no_answer" }), now: at(820) });
      expect(none).toMatchObject({ queued: 0, cancelled: 0, lead: { callStatus: "no_answer", isTarget: true } });
    });
  });

  describe("the list", () => {
    let listTenant = "";
    const ids: Record<string, string> = {};
    const list = async (filters: Partial<LeadFilters> = {}, limit = 50, cursor?: string) =>
      listLeads(t.db, { tenantId: listTenant, filters: filters as LeadFilters, cursor, limit });
    const names = async (filters: Partial<LeadFilters> = {}) => (await list(filters)).rows.map((r) => r.name);

    beforeAll(async () => {
      listTenant = (await insertTenant(t.db, { name: "List" })).id;
      await t.db.insert(templates).values([
        { tenantId: listTenant, name: "welcome", title: "Welcome", content: "Hi", delayDays: 0 },
        { tenantId: listTenant, name: "day1", title: "Day 1", content: "Day 1", delayDays: 1 },
        { tenantId: listTenant, name: "day3", title: "Day 3", content: "Day 3", delayDays: 3 },
      ]);
      const people = [
        ["Olga Yes", "+79005550001", "acting"],
        ["Pavel No", "+79005550002", "oratory"],
        ["Rita Open", "+79005550003", "acting"],
        ["Sasha Missed", "+79005550004", null],
        ["Taras Stopped", "+79005550005", "oratory"],
      ] as const;
      for (const [i, [name, phone, segment]] of people.entries()) {
        ids[name] = (
          await createLead(t.db, { tenantId: listTenant, input: parseCreateLead({ name, phone, ...(segment ? { segment } : {}) }), now: at(1000 + i) })
        ).lead.id;
      }
      await recordCall(t.db, { tenantId: listTenant, leadId: ids["Olga Yes"]!, callStatus: "called", isTarget: true, now: at(1100) });
      await recordCall(t.db, { tenantId: listTenant, leadId: ids["Pavel No"]!, callStatus: "called", isTarget: false, now: at(1100) });
      await recordCall(t.db, { tenantId: listTenant, leadId: ids["Sasha Missed"]!, callStatus: "no_answer", now: at(1100) });
      await recordCall(t.db, { tenantId: listTenant, leadId: ids["Taras Stopped"]!, callStatus: "called", isTarget: true, now: at(1100) });
      const olga = await queueOf(ids["Olga Yes"]!);
      await t.db
        .update(outboundMessages)
        .set({ status: "sent", sentAt: at(1101) })
        .where(eq(outboundMessages.id, olga[0]!.id));
      await t.db
        .update(outboundMessages)
        .set({ status: "failed", errorCode: "131026", errorMessage: "Message undeliverable" })
        .where(eq(outboundMessages.id, olga[1]!.id));
      await stopCampaign(t.db, { tenantId: listTenant, leadId: ids["Taras Stopped"]!, now: at(1200) });
    });

    it("lists newest first with each lead's queue counted by status", async () => {
      const page = await list();
      expect(page.rows.map((r) => [r.name, r.queue])).toEqual([
        ["Taras Stopped", { pending: 0, sent: 0, failed: 0, cancelled: 3, skipped: 0 }],
        ["Sasha Missed", { pending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0 }],
        ["Rita Open", { pending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0 }],
        ["Pavel No", { pending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0 }],
        ["Olga Yes", { pending: 1, sent: 1, failed: 1, cancelled: 0, skipped: 0 }],
      ]);
      expect(page.nextCursor).toBeNull();
    });

    it("filters by call status, the target answer, campaign state, segment and search", async () => {
      expect(await names({ callStatus: "called" })).toEqual(["Taras Stopped", "Pavel No", "Olga Yes"]);
      expect(await names({ callStatus: "no_answer" })).toEqual(["Sasha Missed"]);
      expect(await names({ callStatus: "not_called" })).toEqual(["Rita Open"]);
      expect(await names({ isTarget: "yes" })).toEqual(["Taras Stopped", "Olga Yes"]);
      expect(await names({ isTarget: "no" })).toEqual(["Pavel No"]);
      expect(await names({ isTarget: "unanswered" })).toEqual(["Sasha Missed", "Rita Open"]);
      expect(await names({ campaignActive: true })).toEqual(["Olga Yes"]);
      expect(await names({ campaignActive: false, segment: "oratory" })).toEqual(["Taras Stopped", "Pavel No"]);
      expect(await names({ q: "rita" })).toEqual(["Rita Open"]);
      expect(await names({ q: "+7 900 555-00-04" })).toEqual(["Sasha Missed"]);
      expect(await names({ q: "5550002" })).toEqual(["Pavel No"]);
      expect(await names({ q: "100%" })).toEqual([]);
      await expect(list({ q: "r" })).rejects.toMatchObject({ code: "unprocessable" });
    });

    it("pages with a keyset cursor", async () => {
      const first = await list({}, 2);
      expect(first.rows.map((r) => r.name)).toEqual(["Taras Stopped", "Sasha Missed"]);
      const second = await list({}, 2, first.nextCursor!);
      expect(second.rows.map((r) => r.name)).toEqual(["Rita Open", "Pavel No"]);
      const third = await list({}, 2, second.nextCursor!);
      expect(third).toEqual({ rows: [expect.objectContaining({ name: "Olga Yes" })], nextCursor: null });
      await expect(list({}, 2, "not-a-cursor")).rejects.toMatchObject({ code: "unprocessable", reason: "invalid_cursor" });
    });
  });
});
