// The Failed figure, the Failures view and the dashboard's failed count are the same rows (db/outbound-failures.ts),
// on both drivers, with cancelled rows (a manager's and a rule's) present that none may count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTBOUND_FAILURE_STATUSES } from "@/db/outbound-failures";
import { insertTenant } from "@/db/queries";
import { getDashboardCounts } from "@/db/queries/stats";
import { leads, outboundMessages } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { getQueueStats, listQueueView } from "./queue";

const now = new Date("2031-06-01T12:30:00.000Z");
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);

describe.each(testDrivers)("queue failures (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  let otherLead = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Failures" })).id;
    const [lena, omar] = await t.db
      .insert(leads)
      .values([
        { tenantId, name: "Lena", phone: "+14152009999" },
        { tenantId, name: "Omar", phone: "+14152008888" },
      ])
      .returning();
    otherLead = omar!.id;
    const row = (name: string, m: number, values: Partial<typeof outboundMessages.$inferInsert>, leadId = lena!.id) => ({
      tenantId,
      leadId,
      phone: "+14152009999",
      templateName: name,
      scheduledAt: minutes(m),
      ...values,
    });
    await t.db
      .insert(outboundMessages)
      .values([
        row("refused", -10, { status: "failed", errorCode: "131047", errorMessage: "Re-engagement message" }),
        row("undeliverable", -20, { status: "failed", errorCode: "131026", errorMessage: "Message undeliverable" }),
        row("outside-window", -30, { status: "skipped", errorCode: "outside_window", errorMessage: "Outside the 24-hour window" }),
        row("by-hand", -40, { status: "cancelled", errorCode: "cancelled_by_user", errorMessage: "Cancelled from the queue monitor" }),
        row("campaign", -50, { status: "cancelled", errorCode: "campaign_stopped", errorMessage: "The lead's campaign was stopped" }),
        row("opted-out", -60, { status: "cancelled", errorCode: "opted_out", errorMessage: "The subscriber opted out" }),
        row("sent", -70, { status: "sent", sentAt: minutes(-70) }),
        row("pending", 10, {}),
        row("omar-failed", -80, { status: "failed", errorCode: "http_400", errorMessage: "Green API answered HTTP 400" }, omar!.id),
        row("omar-cancelled", -90, { status: "cancelled", errorCode: "cancelled_by_user" }, omar!.id),
      ]);
    const stranger = (await insertTenant(t.db, { name: "Stranger" })).id;
    await t.db.insert(outboundMessages).values({ tenantId: stranger, phone: "+14152007777", templateName: "theirs", scheduledAt: now, status: "failed" });
  });
  afterAll(() => t.cleanup());

  /** Every row of the Failures view, page after page. */
  async function listAll(filters: { leadId?: string }, limit: number) {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listQueueView(t.db, { tenantId, filters, statuses: [...OUTBOUND_FAILURE_STATUSES], order: "desc", cursor, limit });
      names.push(...page.rows.map((r) => r.row.templateName));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return names;
  }

  it("counts failed and skipped rows as failures, and no cancelled row", async () => {
    const stats = await getQueueStats(t.db, { tenantId, filters: {}, now });
    expect(stats.counts).toMatchObject({ failed: 3, skipped: 1, cancelled: 4 });
    expect(stats.failures).toBe(4);
    expect(await listAll({}, 50)).toEqual(["refused", "undeliverable", "outside-window", "omar-failed"]);
  });

  it("gives the Failed figure and the Failures view the same number, filtered or not, in pages of any size", async () => {
    for (const filters of [{}, { leadId: otherLead }]) {
      const { failures } = await getQueueStats(t.db, { tenantId, filters, now });
      for (const limit of [1, 2, 50]) expect((await listAll(filters, limit)).length).toBe(failures);
    }
    expect((await getQueueStats(t.db, { tenantId, filters: { leadId: otherLead }, now })).failures).toBe(1);
  });

  it("gives the dashboard's failed count the same number", async () => {
    const { failures } = await getQueueStats(t.db, { tenantId, filters: {}, now });
    expect((await getDashboardCounts(t.db, { tenantId, since: minutes(-7 * 24 * 60) })).queueFailed).toBe(failures);
  });
});
