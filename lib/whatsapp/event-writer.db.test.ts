// The group-commit writer: concurrent requests share INSERTs, each answered with its own committed row.
import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { webhookEvents } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { storeWebhookEventGrouped } from "./event-writer";

const event = (tenantId: string | null, n: number) =>
  ({ provider: "cloud", rawBody: JSON.stringify({ n }), signatureResult: "valid", tenantId, status: "received" }) as const;

describe.each(testDrivers)("group-commit webhook writer (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Writer" })).id;
  });
  afterAll(() => t.cleanup());

  it("stores every concurrent event once and answers each with its own row", async () => {
    const ids = await Promise.all(Array.from({ length: 250 }, (_, n) => storeWebhookEventGrouped(t.db, event(tenantId, n))));
    expect(new Set(ids).size).toBe(250);
    const rows = await t.db.select({ id: webhookEvents.id, rawBody: webhookEvents.rawBody }).from(webhookEvents).where(inArray(webhookEvents.id, ids));
    const byId = new Map(rows.map((r) => [r.id, r.rawBody]));
    expect(ids.map((id) => byId.get(id))).toEqual(Array.from({ length: 250 }, (_, n) => JSON.stringify({ n })));
  });

  it("a row the database refuses fails alone; its neighbours in the same group are stored", async () => {
    const results = await Promise.allSettled([
      storeWebhookEventGrouped(t.db, event(tenantId, 1)),
      storeWebhookEventGrouped(t.db, event(tenantId, 2)),
      storeWebhookEventGrouped(t.db, event(randomUUID(), 3)), // no such tenant: foreign key violation
      storeWebhookEventGrouped(t.db, event(tenantId, 4)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const stored = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(await t.db.select({ id: webhookEvents.id }).from(webhookEvents).where(inArray(webhookEvents.id, stored))).toHaveLength(3);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("group-commit webhook writer, statements in flight (postgres)", () => {
  let t: TestDb;
  let locker: postgres.Sql;

  beforeAll(async () => {
    t = await createTestDb("postgres");
    locker = postgres(t.url!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await locker.end();
    await t.cleanup();
  });

  it("a group whose INSERT is stuck does not hold back the next one", async () => {
    const stuckTenant = (await insertTenant(t.db, { name: "Locked" })).id;
    const freeTenant = (await insertTenant(t.db, { name: "Free" })).id;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // FOR UPDATE on the tenant blocks the foreign-key check of any event row that names it
    const holder = locker.begin(async (tx) => {
      await tx`select id from tenants where id = ${stuckTenant} for update`;
      locked();
      await released;
    });
    await isLocked;

    const stuck = storeWebhookEventGrouped(t.db, event(stuckTenant, 1));
    try {
      await new Promise((r) => setTimeout(r, 50)); // its INSERT is now waiting for the lock
      const tooLate = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the second group waited for the stuck one")), 3_000));
      const free = await Promise.race([storeWebhookEventGrouped(t.db, event(freeTenant, 2)), tooLate]);
      const [row] = await t.db.select({ tenantId: webhookEvents.tenantId }).from(webhookEvents).where(eq(webhookEvents.id, free));
      expect(row?.tenantId).toBe(freeTenant);
      expect(await t.db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.tenantId, stuckTenant))).toHaveLength(0);
    } finally {
      release();
      await holder;
    }
    const stuckId = await stuck;
    expect(await t.db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.id, stuckId))).toHaveLength(1);
  });
});
