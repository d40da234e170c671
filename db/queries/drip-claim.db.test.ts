// The drip run's claim (claimDueOutboundByNumber) on both drivers: each number's due rows, oldest first, up to
// its own quota (about a second of its rate, or what the run asks for), never an inactive number's nor one
// another run holds; rows without a number and a crashed run's unbegun rows come along.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboundMessages, templates, whatsappNumbers } from "../schema";
import { createTestDb, type TestDb, testDrivers } from "../testing";
import { insertTenant } from "./tenants";
import { claimDueOutboundByNumber } from "./drip";

const now = new Date("2031-06-01T09:00:00.000Z");
const run = "00000000-0000-4000-8000-0000000000a1";
const other = "00000000-0000-4000-8000-0000000000b2";

describe.each(testDrivers)("drip claim per number (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let templateId = "";
  const ids: Record<"slow" | "fast" | "paused" | "held", string> = { slow: "", fast: "", paused: "", held: "" };

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Claims" })).id;
    templateId = (await t.db.insert(templates).values({ tenantId, name: "hi", title: "Hi", content: "Hi", delayDays: 0 }).returning())[0]!.id;
    const numbers = [
      { key: "slow", rate: 10, active: true },
      { key: "fast", rate: 1000, active: true },
      { key: "paused", rate: 10, active: false },
      { key: "held", rate: 10, active: true },
    ] as const;
    for (const [i, n] of numbers.entries()) {
      const [row] = await t.db
        .insert(whatsappNumbers)
        .values({
          tenantId,
          label: n.key,
          phoneE164: `+1555000000${i}`,
          provider: "cloud",
          verifyToken: `verify-token-claims-${kind}-${i}`,
          sendRatePerSecond: n.rate,
          active: n.active,
          ...(n.key === "held" ? { dripLeaseOwner: other, dripLeaseUntil: new Date(now.getTime() + 60_000) } : {}),
        })
        .returning();
      ids[n.key] = row!.id;
    }
    // 40 due rows per number (oldest first by the minute), 5 not due yet, 3 without a number
    for (const [i, id] of Object.values(ids).entries()) {
      await t.db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
        select ${tenantId}::uuid, ${id}::uuid, '+1' || (${i + 2}::bigint * 1000000 + g)::text, ${templateId}::uuid, 'hi',
          ${now.toISOString()}::timestamptz - (100 - g) * interval '1 minute'
        from generate_series(1, 40) g`);
      await t.db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
        select ${tenantId}::uuid, ${id}::uuid, '+1' || (${i + 2}::bigint * 1000000 + 500 + g)::text, ${templateId}::uuid, 'hi',
          ${now.toISOString()}::timestamptz + g * interval '1 minute'
        from generate_series(1, 5) g`);
    }
    await t.db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
      select ${tenantId}::uuid, null, '+1' || (9000000 + g)::text, ${templateId}::uuid, 'hi', ${now.toISOString()}::timestamptz - interval '1 minute'
      from generate_series(1, 3) g`);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const count = (rows: { numberId: string | null }[], id: string | null) => rows.filter((r) => r.numberId === id).length;

  it("gives each number about a second of its rate, oldest first, and nothing of a paused number or one another run holds", async () => {
    const rows = await claimDueOutboundByNumber(t.db, { now, leaseMs: 60_000, runId: run, wants: [], lookaheadMs: 1_000, maxPerNumber: 30 });
    expect(count(rows, ids.slow)).toBe(10); // 10/s for a second
    expect(count(rows, ids.fast)).toBe(30); // 1,000/s, but at most maxPerNumber
    expect(count(rows, ids.paused)).toBe(0);
    expect(count(rows, ids.held)).toBe(0);
    expect(count(rows, null)).toBe(3);
    const slow = rows.filter((r) => r.numberId === ids.slow);
    expect(slow.map((r) => r.phone).sort()).toEqual(Array.from({ length: 10 }, (_, g) => `+1${2_000_001 + g}`).sort());
    expect(rows.every((r) => r.status === "sending" && r.leaseOwner === run && r.attempts === 1 && r.scheduledAt <= now)).toBe(true);
  });

  it("takes what the run asks for a number it already sends for (0: none), and the default for the others", async () => {
    const rows = await claimDueOutboundByNumber(t.db, {
      now,
      leaseMs: 60_000,
      runId: run,
      wants: [
        { numberId: ids.slow, n: 0 },
        { numberId: ids.fast, n: 4 },
      ],
      lookaheadMs: 1_000,
      maxPerNumber: 30,
    });
    expect(count(rows, ids.slow)).toBe(0);
    expect(count(rows, ids.fast)).toBe(4);
    expect(rows.filter((r) => r.numberId === ids.fast).every((r) => r.attempts === 1)).toBe(true); // not the rows claimed before
  });

  it("takes a number back once the other run's lease ran out, and a crashed run's rows whose send never began", async () => {
    const later = new Date(now.getTime() + 120_000);
    await t.db
      .update(outboundMessages)
      .set({ sendStartedAt: now })
      .where(sql`${outboundMessages.numberId} = ${ids.slow}::uuid and ${outboundMessages.status} = 'sending' and ${outboundMessages.phone} = '+12000001'`);
    const rows = await claimDueOutboundByNumber(t.db, {
      now: later,
      leaseMs: 60_000,
      runId: other,
      wants: [{ numberId: ids.fast, n: 0 }],
      lookaheadMs: 1_000,
      maxPerNumber: 100,
    });
    expect(count(rows, ids.held)).toBe(10); // its lease (ours) ran out a minute ago
    // the slow number: its 9 unbegun rows of the first claim (lease expired) and 10 new ones; the begun one stays
    expect(count(rows, ids.slow)).toBe(19);
    expect(rows.some((r) => r.phone === "+12000001")).toBe(false);
    const [begun] = await t.db.select().from(outboundMessages).where(eq(outboundMessages.phone, "+12000001"));
    expect(begun).toMatchObject({ status: "sending", leaseOwner: run });
  });
});
