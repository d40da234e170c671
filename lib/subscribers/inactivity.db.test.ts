// Seed 000's `inactive` status, with a fake clock: subscribers silent for their workspace's number of days
// become inactive in the scheduled work (in bounded rounds), and active again on their next message; opted-out
// and blocked subscribers keep their status.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSubscriberByWaPhone, insertNumber, insertTenant } from "@/db/queries";
import { updateTenantSettings } from "@/db/queries/tenants";
import { subscribers, tenants } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { organisationSettingsSchema } from "@/lib/accounts/schemas";
import { setEnvForTests } from "@/lib/env";
import { runScheduledWork } from "@/lib/scheduler";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { webhookEnvelope } from "@/lib/whatsapp/payloads";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { markInactiveSubscribers } from "./inactivity";

const DAY = 24 * 3600 * 1000;
const T0 = new Date("2030-05-01T12:00:00.000Z");
const day = (n: number) => new Date(T0.getTime() + n * DAY);
const unix = (d: Date) => String(Math.floor(d.getTime() / 1000));

describe("organisation settings", () => {
  it("takes 1 to 3650 whole days and refuses anything else with one message", () => {
    const parse = (inactiveAfterDays: unknown) => organisationSettingsSchema.safeParse({ name: "Acme", inactiveAfterDays });
    expect(parse(1).success && parse(30).success && parse(3650).success).toBe(true);
    for (const bad of [0, -5, 3651, 1.5, Number.NaN, "30", null]) {
      expect(parse(bad).error?.issues[0]?.message, String(bad)).toBe("Enter a whole number of days from 1 to 3650");
    }
  });
});

describe.each(testDrivers)("inactive subscribers (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDb(kind);
    restoreEnv = setEnvForTests({ ENCRYPTION_KEY: Buffer.alloc(32, 5).toString("base64") });
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  async function workspace(inactiveAfterDays?: number) {
    const n = (seq += 1);
    const tenant = await insertTenant(t.db, { name: `Silence ${n}`, ...(inactiveAfterDays ? { inactiveAfterDays } : {}) });
    const pnid = String(900000000000000 + n);
    await insertNumber(t.db, {
      tenantId: tenant.id,
      label: "Main",
      phoneE164: `+1555${String(n).padStart(7, "0")}`,
      provider: "cloud",
      phoneNumberId: pnid,
      verifyToken: randomUUID(),
    });
    return { tenantId: tenant.id, pnid };
  }

  /** One inbound text through the real ingestion path. */
  async function writes(w: { pnid: string }, from: string, at: Date) {
    const body = webhookEnvelope(
      { phoneNumberId: w.pnid, displayPhoneNumber: "15550000000", wabaId: "WABA-SILENCE" },
      {
        contacts: [{ profile: { name: "Ana" }, wa_id: from }],
        messages: [{ from, id: `wamid.S.${randomUUID()}`, timestamp: unix(at), type: "text", text: { body: "hello" } }],
      },
    );
    const event = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody: JSON.stringify(body),
      signatureResult: "valid",
      routedPhoneNumberIds: [w.pnid],
      receivedAt: at,
    });
    expect((await processWebhookEvents(t.db, { ids: [event.id], now: at })).processed).toBe(1);
  }

  const statusOf = async (tenantId: string, from: string) => (await getSubscriberByWaPhone(t.db, { tenantId, waPhone: `+${from}` }))!.status;

  it("marks active subscribers inactive after the workspace's days of silence, and only them", async () => {
    const a = await workspace(); // the default: 30 days
    const b = await workspace(7);
    await writes(a, "16505550101", T0);
    await writes(a, "16505550102", day(5));
    await writes(b, "16505550201", T0);
    await writes(a, "16505550103", T0);
    await writes(a, "16505550104", T0);
    await t.db
      .update(subscribers)
      .set({ status: "opted_out" })
      .where(and(eq(subscribers.tenantId, a.tenantId), eq(subscribers.waPhone, "+16505550103")));
    await t.db
      .update(subscribers)
      .set({ status: "blocked" })
      .where(and(eq(subscribers.tenantId, a.tenantId), eq(subscribers.waPhone, "+16505550104")));
    // never wrote (a provider opt-in created them): silent since first seen
    await t.db.insert(subscribers).values({ tenantId: a.tenantId, waPhone: "+16505550105", firstSeenAt: T0 });

    expect(await markInactiveSubscribers(t.db, { now: day(7) })).toBe(0); // 7 days: not yet more than 7
    expect(await markInactiveSubscribers(t.db, { now: new Date(day(7).getTime() + 1) })).toBe(1);
    expect(await statusOf(b.tenantId, "16505550201")).toBe("inactive");
    expect(await statusOf(a.tenantId, "16505550101")).toBe("active");

    expect(await markInactiveSubscribers(t.db, { now: day(31) })).toBe(2);
    expect(await statusOf(a.tenantId, "16505550101")).toBe("inactive");
    expect(await statusOf(a.tenantId, "16505550105")).toBe("inactive");
    expect(await statusOf(a.tenantId, "16505550102")).toBe("active"); // wrote on day 5: 26 days
    expect(await statusOf(a.tenantId, "16505550103")).toBe("opted_out");
    expect(await statusOf(a.tenantId, "16505550104")).toBe("blocked");
    expect(await markInactiveSubscribers(t.db, { now: day(31) })).toBe(0); // nothing twice
  });

  it("makes a subscriber active again on their next message, and never an opted-out one", async () => {
    const a = await workspace(10);
    await writes(a, "16505550301", T0);
    await writes(a, "16505550302", T0);
    await t.db
      .update(subscribers)
      .set({ status: "opted_out" })
      .where(and(eq(subscribers.tenantId, a.tenantId), eq(subscribers.waPhone, "+16505550302")));
    expect(await markInactiveSubscribers(t.db, { now: day(11) })).toBe(1);
    await writes(a, "16505550301", day(12));
    await writes(a, "16505550302", day(12));
    const back = (await getSubscriberByWaPhone(t.db, { tenantId: a.tenantId, waPhone: "+16505550301" }))!;
    expect(back).toMatchObject({ status: "active", inboundCount: 2, lastInboundAt: day(12) });
    expect(await statusOf(a.tenantId, "16505550302")).toBe("opted_out");
    expect(await markInactiveSubscribers(t.db, { now: day(21) })).toBe(0); // silent for 9 days only
    expect(await markInactiveSubscribers(t.db, { now: day(23) })).toBe(1);
  });

  it("works in bounded rounds: a round marks at most its batch, the next one goes on", async () => {
    const a = await workspace(3);
    for (let i = 0; i < 5; i++)
      await t.db.insert(subscribers).values({ tenantId: a.tenantId, waPhone: `+1650555040${i}`, firstSeenAt: T0, lastInboundAt: day(-i) });
    const silent = async () =>
      (
        await t.db
          .select()
          .from(subscribers)
          .where(and(eq(subscribers.tenantId, a.tenantId), eq(subscribers.status, "inactive")))
      ).length;
    expect(await markInactiveSubscribers(t.db, { now: day(30), batch: 2, maxRounds: 1 })).toBe(2);
    expect(await silent()).toBe(2);
    // the longest silent go first
    const first = await t.db
      .select({ waPhone: subscribers.waPhone })
      .from(subscribers)
      .where(and(eq(subscribers.tenantId, a.tenantId), eq(subscribers.status, "inactive")));
    expect(first.map((r) => r.waPhone).sort()).toEqual(["+16505550403", "+16505550404"]);
    expect(await markInactiveSubscribers(t.db, { now: day(30), batch: 2 })).toBe(3);
    expect(await silent()).toBe(5);
  });

  it("runs in the scheduled work and follows a changed setting", async () => {
    const a = await workspace();
    await writes(a, "16505550501", T0);
    const now = { at: day(15) };
    const run = () => runScheduledWork(t.db, { now: () => now.at, budgetMs: 5_000 });
    expect((await run()).subscribersMarkedInactive).toBe(0);
    await updateTenantSettings(t.db, a.tenantId, { name: "Silence", inactiveAfterDays: 14 });
    expect(await statusOf(a.tenantId, "16505550501")).toBe("active");
    const result = await run();
    expect(result.subscribersMarkedInactive).toBeGreaterThanOrEqual(1);
    expect(await statusOf(a.tenantId, "16505550501")).toBe("inactive");
  });

  it("refuses a threshold outside 1–3650 days in the database too", async () => {
    const a = await workspace();
    for (const days of [0, 3651]) {
      await expect(t.db.update(tenants).set({ inactiveAfterDays: days }).where(eq(tenants.id, a.tenantId))).rejects.toThrow();
    }
  });
});
