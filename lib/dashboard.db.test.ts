import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { conversations, conversions, outboundMessages, subscribers, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { getDashboard } from "./dashboard";

const now = new Date("2026-06-15T10:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe.each(testDrivers)("dashboard (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  let otherId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Counts" })).id;
    otherId = (await insertTenant(t.db, { name: "Noise" })).id;
    for (const tid of [tenantId, otherId]) {
      const [number] = await t.db
        .insert(whatsappNumbers)
        .values({ tenantId: tid, label: "Main", phoneE164: "+79001234567", provider: "cloud", verifyToken: `vt-${tid}`, phoneNumberId: `pn-${tid}` })
        .returning();
      const subs = await t.db
        .insert(subscribers)
        .values([1, 2, 3].map((i) => ({ tenantId: tid, waPhone: `+7900000000${i}`, firstSeenAt: daysAgo(20) })))
        .returning();
      const convo = (subscriberId: string, startedAt: Date, sourceType: string | null) => ({
        tenantId: tid,
        subscriberId,
        numberId: number!.id,
        startedAt,
        lastMessageAt: startedAt,
        windowExpiresAt: new Date(startedAt.getTime() + 86_400_000),
        sourceType,
      });
      await t.db.insert(conversations).values([
        convo(subs[0]!.id, daysAgo(1), "ad"),
        convo(subs[1]!.id, daysAgo(2), "ad"),
        convo(subs[2]!.id, daysAgo(3), null),
        convo(subs[0]!.id, daysAgo(6.9), "post"),
        convo(subs[1]!.id, daysAgo(10), "ad"), // outside 7 days, inside 14
        convo(subs[2]!.id, daysAgo(30), "ad"), // outside both
      ]);
      await t.db.insert(outboundMessages).values(
        (["pending", "pending", "failed", "sent"] as const).map((status) => ({
          tenantId: tid,
          phone: "+79000000001",
          templateName: "welcome",
          scheduledAt: now,
          status,
        })),
      );
      await t.db.insert(conversions).values(
        (["sent", "sent", "queued", "rejected"] as const).map((status, i) => ({
          tenantId: tid,
          eventId: `e${i}`,
          eventName: "Purchase",
          eventTime: now,
          requestHash: "h",
          status,
        })),
      );
    }
  });
  afterAll(() => t.cleanup());

  it("counts only this tenant's rows, with the 7-day window and ad share", async () => {
    const d = await getDashboard(t.db, { tenantId, now });
    expect(d.counts).toEqual({
      numbers: 1,
      activeNumbers: 1,
      subscribers: 3,
      conversations7d: 4,
      adConversations7d: 2,
      queuePending: 2,
      queueFailed: 1,
      conversionsSent: 2,
      conversionsFailed: 1,
    });
    expect(d.adShare).toBe(0.5);
  });

  it("returns 14 zero-filled days ending today, split by source", async () => {
    const { series } = await getDashboard(t.db, { tenantId, now });
    expect(series).toHaveLength(14);
    expect(series.at(-1)?.day).toBe("2026-06-15");
    expect(series.reduce((n, d) => n + d.ad, 0)).toBe(3);
    expect(series.reduce((n, d) => n + d.organic, 0)).toBe(2);
    expect(series.find((d) => d.day === "2026-06-14")).toEqual({ day: "2026-06-14", ad: 1, organic: 0 });
  });

  it("has no share when there were no conversations", async () => {
    const empty = (await insertTenant(t.db, { name: "Empty" })).id;
    const d = await getDashboard(t.db, { tenantId: empty, now });
    expect(d.adShare).toBeNull();
    expect(d.counts.subscribers).toBe(0);
  });
});
