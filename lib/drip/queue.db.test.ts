// The queue monitor's figures and actions on both drivers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { leads, outboundMessages } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { cancelLeadQueue, cancelQueueRow, getQueueStats, listQueue, retryQueueRow } from "./queue";

const now = new Date("2031-06-01T12:30:00.000Z");
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);

describe.each(testDrivers)("queue monitor (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let leadId = "";
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Queue" })).id;
    leadId = (await t.db.insert(leads).values({ tenantId, name: "Lena", phone: "+14152009999" }).returning())[0]!.id;
    const row = (name: string, values: Partial<typeof outboundMessages.$inferInsert>) => ({
      tenantId,
      leadId,
      phone: "+14152009999",
      templateName: name,
      scheduledAt: now,
      ...values,
    });
    const inserted = await t.db
      .insert(outboundMessages)
      .values([
        row("due-old", { scheduledAt: minutes(-90) }),
        row("due-new", { scheduledAt: minutes(-5) }),
        row("later", { scheduledAt: minutes(60) }),
        row("sent-1", { status: "sent", sentAt: minutes(-120) }),
        row("sent-2", { status: "sent", sentAt: minutes(-110) }),
        row("sent-3", { status: "sent", sentAt: minutes(-20) }),
        row("sent-old", { status: "sent", sentAt: minutes(-25 * 60) }),
        row("failed", { status: "failed", errorCode: "131026", errorMessage: "Message undeliverable" }),
      ])
      .returning();
    for (const r of inserted) ids[r.templateName] = r.id;
    await insertTenant(t.db, { name: "Other" });
  });
  afterAll(() => t.cleanup());

  it("counts rows per status, what is due now and how old the oldest due row is, and sends per UTC hour over 24 h", async () => {
    const stats = await getQueueStats(t.db, { tenantId, filters: {}, now });
    expect(stats.counts).toMatchObject({ pending: 3, sent: 4, failed: 1, sending: 0, cancelled: 0, skipped: 0 });
    expect(stats.dueNow).toBe(2);
    expect(stats.oldestDueAgeSeconds).toBe(90 * 60);
    expect(stats.sentPerHour).toEqual([
      { hour: "2031-06-01T10:00:00Z", sent: 2 },
      { hour: "2031-06-01T12:00:00Z", sent: 1 },
    ]);
    expect((await getQueueStats(t.db, { tenantId, filters: { status: "failed" }, now })).counts.failed).toBe(1);
  });

  it("lists by schedule either way with filters, page by page", async () => {
    const pending = await listQueue(t.db, { tenantId, filters: { status: "pending", order: "asc" }, limit: 2 });
    expect(pending.rows.map((r) => r.row.templateName)).toEqual(["due-old", "due-new"]);
    const next = await listQueue(t.db, { tenantId, filters: { status: "pending", order: "asc" }, cursor: pending.nextCursor!, limit: 2 });
    expect(next.rows.map((r) => r.row.templateName)).toEqual(["later"]);
    expect(next.nextCursor).toBeNull();
    expect((await listQueue(t.db, { tenantId, filters: {}, limit: 1 })).rows[0]!.row.templateName).toBe("later");
    expect((await listQueue(t.db, { tenantId, filters: { leadId }, limit: 50 })).rows[0]!.leadName).toBe("Lena");
  });

  it("retries a failed row (due now, attempts from zero), cancels a pending one, and refuses the wrong states", async () => {
    const retried = await retryQueueRow(t.db, { tenantId, id: ids.failed!, now });
    expect(retried).toMatchObject({ status: "pending", attempts: 0, errorCode: null, scheduledAt: now });
    await expect(retryQueueRow(t.db, { tenantId, id: ids["sent-1"]!, now })).rejects.toMatchObject({ publicCode: "not_retryable", status: 409 });
    expect((await cancelQueueRow(t.db, { tenantId, id: ids.later!, now })).status).toBe("cancelled");
    await expect(cancelQueueRow(t.db, { tenantId, id: ids.later!, now })).rejects.toMatchObject({ publicCode: "not_cancellable" });
    const stranger = (await insertTenant(t.db, { name: "Stranger" })).id;
    await expect(cancelQueueRow(t.db, { tenantId: stranger, id: ids["due-old"]!, now })).rejects.toMatchObject({ status: 404 });
    expect(await cancelLeadQueue(t.db, { tenantId, leadId, now })).toBe(3); // due-old, due-new, and the retried one
  });
});
