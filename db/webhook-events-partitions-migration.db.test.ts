// Migration 0025 on a database that already has webhook events: webhook_events becomes partitioned by day, every
// row keeps its id and columns in the partition of its day (plus a week of partitions ahead), Green API dedupe keys
// move to webhook_event_dedupe_keys (a redelivery still stores nothing), and workspaces get a 30-day retention.
// Applied up to 0024 first (the data of before), then 0025 alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertWebhookEventOnce } from "./queries/green";
import { getWebhookEvent } from "./queries/webhook-events";
import { type MigrationTestDb, openDatabaseBefore, testDrivers } from "./testing";

const A = "00000000-0000-4000-8000-00000000000a";
const N1 = "00000000-0000-4000-8000-000000000101";
const E = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const DAY = 24 * 60 * 60 * 1000;
const dayName = (at: Date) => `webhook_events_p${at.toISOString().slice(0, 10).replaceAll("-", "")}`;

describe.each(testDrivers)("migration 0025 partitions webhook_events by day (%s)", (kind) => {
  let handle: MigrationTestDb;
  const now = new Date();
  const at = [new Date(now.getTime() - 20 * DAY), new Date(now.getTime() - 3 * DAY), now];

  beforeAll(async () => {
    handle = await openDatabaseBefore(kind, "0025_webhook_events_partitions");
    await handle.run([
      `insert into tenants (id, name) values ('${A}', 'A')`,
      `insert into whatsapp_numbers (id, tenant_id, label, phone_e164, provider, verify_token) values ('${N1}', '${A}', 'One', '+15550000001', 'green', 'v1')`,
      `insert into webhook_events (id, tenant_id, number_id, provider, received_at, raw_body, signature_result, status, dedupe_key, processed_at) values
        ('${E(1)}', '${A}', '${N1}', 'green', '${at[0]!.toISOString()}', '{"a":1}', 'not_required', 'processed', 'incomingMessageReceived:1', '${at[0]!.toISOString()}'),
        ('${E(2)}', '${A}', '${N1}', 'green', '${at[1]!.toISOString()}', '{"a":2}', 'not_required', 'failed', null, null),
        ('${E(3)}', null, null, 'cloud', '${at[2]!.toISOString()}', '{"a":3}', 'invalid', 'rejected', null, null)`,
    ]);
    await handle.applyMigration();
  });
  afterAll(() => handle?.cleanup());

  it("keeps every row, with its columns, in the partition of its day", async () => {
    const rows = await handle.rows<{ id: string; p: string; status: string; raw_body: string; dedupe_key: string | null }>(
      `select id::text, tableoid::regclass::text as p, status, raw_body, dedupe_key from webhook_events order by id`,
    );
    expect(rows).toEqual([
      { id: E(1), p: dayName(at[0]!), status: "processed", raw_body: '{"a":1}', dedupe_key: "incomingMessageReceived:1" },
      { id: E(2), p: dayName(at[1]!), status: "failed", raw_body: '{"a":2}', dedupe_key: null },
      { id: E(3), p: dayName(at[2]!), status: "rejected", raw_body: '{"a":3}', dedupe_key: null },
    ]);
    const [table] = await handle.rows<{ kind: string }>(`select relkind::text as kind from pg_class where relname = 'webhook_events'`);
    expect(table?.kind).toBe("p");
    expect((await getWebhookEvent(handle.db, { tenantId: A, id: E(2) }))?.receivedAt).toEqual(new Date(at[1]!.toISOString()));
  });

  it("makes partitions a week ahead, and only for past days that have rows", async () => {
    const names = (
      await handle.rows<{ name: string }>(
        `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'webhook_events'::regclass`,
      )
    ).map((r) => r.name);
    for (let d = 0; d <= 7; d++) expect(names).toContain(dayName(new Date(now.getTime() + d * DAY)));
    expect(names).toContain("webhook_events_default");
    expect(names).not.toContain(dayName(new Date(now.getTime() - 10 * DAY)));
  });

  it("moves the dedupe keys: a redelivery of an old notification stores nothing, a new one is stored", async () => {
    const values = { provider: "green" as const, rawBody: "{}", signatureResult: "not_required" as const, tenantId: A, numberId: N1 };
    expect(await insertWebhookEventOnce(handle.db, { ...values, dedupeKey: "incomingMessageReceived:1" })).toBeNull();
    expect(await insertWebhookEventOnce(handle.db, { ...values, dedupeKey: "incomingMessageReceived:2" })).toMatch(/^[0-9a-f-]{36}$/);
    const [tenant] = await handle.rows<{ days: number }>(`select webhook_event_retention_days as days from tenants where id = '${A}'`);
    expect(tenant?.days).toBe(30);
  });
});
