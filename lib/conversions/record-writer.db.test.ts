// Delivery outcomes written in groups: each conversion and its job get exactly their own outcome.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { conversions, jobs } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { CAPI_FORWARD_JOB } from "./deliver-policy";
import { recordConversionAttempt } from "./record-writer";

const T0 = new Date("2031-05-01T10:00:00.000Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);

describe.each(testDrivers)("grouped delivery records (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Records" })).id;
  });
  afterAll(() => t.cleanup());

  async function conversion(status: "queued" | "sent", extra: Partial<typeof conversions.$inferInsert> = {}) {
    const id = randomUUID();
    await t.db.insert(conversions).values({ id, tenantId, eventId: `e-${id}`, eventName: "Purchase", eventTime: T0, requestHash: "h", status, ...extra });
    await t.db.insert(jobs).values({
      tenantId,
      kind: CAPI_FORWARD_JOB,
      dedupeKey: id,
      status: status === "sent" ? "done" : "running",
      attempts: 1,
      runAt: T0,
      leaseExpiresAt: status === "sent" ? null : at(60),
    });
    return id;
  }
  const read = async (id: string) => ({
    conversion: (await t.db.select().from(conversions).where(eq(conversions.id, id)))[0]!,
    job: (
      await t.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.kind, CAPI_FORWARD_JOB), eq(jobs.dedupeKey, id)))
    )[0]!,
  });

  it("writes concurrent outcomes together, each on its own conversion and job", async () => {
    const sent = await conversion("queued");
    const retried = await conversion("queued");
    const notReady = await conversion("queued", { requestPayload: { earlier: true } });
    const already = await conversion("sent", { sentAt: at(-60), eventsReceived: 1 });
    const request = { data: [{ event_name: "Purchase" }] };
    await Promise.all([
      recordConversionAttempt(t.db, {
        tenantId,
        id: sent,
        subscriberId: null,
        patch: {
          status: "sent",
          attempts: 1,
          lastAttemptAt: at(1),
          sentAt: at(1),
          nextAttemptAt: null,
          lastError: null,
          requestPayload: request,
          response: { events_received: 1, fbtrace_id: "AbC" },
          eventsReceived: 1,
          fbtraceId: "AbC",
          updatedAt: at(1),
        },
        job: { attempts: 1, status: "done", lastError: null, now: at(1) },
      }),
      recordConversionAttempt(t.db, {
        tenantId,
        id: retried,
        subscriberId: null,
        patch: {
          status: "queued",
          attempts: 1,
          lastAttemptAt: at(1),
          nextAttemptAt: at(3),
          lastError: "Graph error 2: try later",
          requestPayload: request,
          response: { error: { code: 2 } },
          fbtraceId: null,
          updatedAt: at(1),
        },
        job: { attempts: 1, status: "pending", runAt: at(3), lastError: "Graph error 2: try later", now: at(1) },
      }),
      recordConversionAttempt(t.db, {
        tenantId,
        id: notReady,
        subscriberId: null,
        patch: { status: "failed", attempts: 1, lastAttemptAt: at(1), nextAttemptAt: null, lastError: "The number has no dataset", updatedAt: at(1) },
        job: { attempts: 1, status: "failed", lastError: "The number has no dataset", now: at(1) },
      }),
      recordConversionAttempt(t.db, {
        tenantId,
        id: already,
        subscriberId: null,
        patch: { status: "failed", attempts: 2, lastAttemptAt: at(1), lastError: "late twin", updatedAt: at(1) },
        job: { attempts: 1, status: "failed", lastError: "late twin", now: at(1) },
      }),
    ]);

    const a = await read(sent);
    expect(a.conversion).toMatchObject({
      status: "sent",
      attempts: 1,
      sentAt: at(1),
      eventsReceived: 1,
      fbtraceId: "AbC",
      requestPayload: request,
      response: { events_received: 1, fbtrace_id: "AbC" },
      lastError: null,
    });
    expect(a.job).toMatchObject({ status: "done", leaseExpiresAt: null, lastError: null });

    const b = await read(retried);
    expect(b.conversion).toMatchObject({ status: "queued", nextAttemptAt: at(3), lastError: "Graph error 2: try later", sentAt: null });
    expect(b.job).toMatchObject({ status: "pending", runAt: at(3), leaseExpiresAt: null });

    const c = await read(notReady);
    expect(c.conversion).toMatchObject({ status: "failed", lastError: "The number has no dataset", requestPayload: { earlier: true } }); // fields the attempt did not set are kept
    expect(c.job).toMatchObject({ status: "failed", lastError: "The number has no dataset" });

    const d = await read(already); // no longer queued: a late outcome changes nothing
    expect(d.conversion).toMatchObject({ status: "sent", attempts: 0, sentAt: at(-60), lastError: null });
    expect(d.job).toMatchObject({ status: "done", lastError: null });
  });
});
