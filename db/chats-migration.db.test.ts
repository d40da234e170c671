// Migration 0016 on a database that already has messages: one chat per (tenant, subscriber, number) is filled from
// them. Applied up to 0015 first (the data of before), then 0016 alone.
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "./client";
import { rowsOf } from "./migrations-info";
import { CHATS_BACKFILL_SQL } from "./queries/chats";
import { type MigrationTestDb, openDatabaseBefore, testDrivers } from "./testing";

const TAG = "0016_inbox_chats";
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

const A = "00000000-0000-4000-8000-00000000000a"; // tenant
const B = "00000000-0000-4000-8000-00000000000b"; // another tenant
const N1 = "00000000-0000-4000-8000-000000000101";
const N2 = "00000000-0000-4000-8000-000000000102";
const NB = "00000000-0000-4000-8000-000000000103";
const S1 = "00000000-0000-4000-8000-000000000201"; // wrote to N1 twice (an ad, then a new window) and to N2
const S2 = "00000000-0000-4000-8000-000000000202"; // demo on N1, plus a message with no number
const S3 = "00000000-0000-4000-8000-000000000203"; // tenant B
const C1 = "00000000-0000-4000-8000-000000000301"; // S1/N1 from an ad, day 1
const C2 = "00000000-0000-4000-8000-000000000302"; // S1/N1 organic, day 3
const C3 = "00000000-0000-4000-8000-000000000303"; // S1/N2
const C4 = "00000000-0000-4000-8000-000000000304"; // S2/N1 (demo)
const C5 = "00000000-0000-4000-8000-000000000305"; // S3/NB: a click id without source type "ad"
const M = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("migration 0016's backfill statement", () => {
  it("is the rebuild statement of db/queries/chats.ts", () => {
    const file = fs.readFileSync(path.join(migrationsFolder, `${TAG}.sql`), "utf8");
    const statements = file.split("--> statement-breakpoint").map((s) => squash(s.replace(/^\s*--.*$/gm, "")));
    expect(statements.at(-1)).toBe(`${squash(CHATS_BACKFILL_SQL)};`);
  });
});

describe.each(testDrivers)("migration %s fills chats from messages", (kind) => {
  let handle: MigrationTestDb;
  const run = (statements: string[]) => handle.run(statements);

  beforeAll(async () => {
    handle = await openDatabaseBefore(kind, TAG);

    const msg = (n: number, tenant: string, sub: string, conv: string | null, num: string | null, dir: string, at: string, text: string, demo = false) =>
      `('${M(n)}', '${tenant}', '${sub}', ${conv ? `'${conv}'` : "null"}, ${num ? `'${num}'` : "null"}, '${dir}', 'wamid.${n}', 'text', '${text}', '${dir === "inbound" ? "received" : "sent"}', '${at}', ${demo})`;
    await run([
      `insert into tenants (id, name) values ('${A}', 'A'), ('${B}', 'B')`,
      `insert into whatsapp_numbers (id, tenant_id, label, phone_e164, provider, verify_token) values
        ('${N1}', '${A}', 'One', '+15550000001', 'cloud', 'v1'), ('${N2}', '${A}', 'Two', '+15550000002', 'cloud', 'v2'),
        ('${NB}', '${B}', 'B', '+15550000003', 'cloud', 'v3')`,
      `insert into subscribers (id, tenant_id, wa_phone, first_seen_at, demo) values
        ('${S1}', '${A}', '+4915100000001', '2030-01-01T10:00:00Z', false), ('${S2}', '${A}', '+4915100000002', '2030-01-01T10:00:00Z', true),
        ('${S3}', '${B}', '+4915100000003', '2030-01-01T10:00:00Z', false)`,
      `insert into conversations (id, tenant_id, subscriber_id, number_id, started_at, last_message_at, window_expires_at, ctwa_clid, source_type, source_id, ad_id, demo) values
        ('${C1}', '${A}', '${S1}', '${N1}', '2030-01-01T10:00:00Z', '2030-01-01T10:05:00Z', '2030-01-02T10:05:00Z', 'clid-1', 'ad', 'AD-1', 'AD-1', false),
        ('${C2}', '${A}', '${S1}', '${N1}', '2030-01-03T10:00:00Z', '2030-01-03T10:00:00Z', '2030-01-04T10:00:00Z', null, null, null, null, false),
        ('${C3}', '${A}', '${S1}', '${N2}', '2030-01-02T09:00:00Z', '2030-01-02T09:00:00Z', '2030-01-03T09:00:00Z', null, null, null, null, false),
        ('${C4}', '${A}', '${S2}', '${N1}', '2030-01-01T12:00:00Z', '2030-01-01T12:00:00Z', '2030-01-02T12:00:00Z', null, null, null, null, true),
        ('${C5}', '${B}', '${S3}', '${NB}', '2030-01-01T12:00:00Z', '2030-01-01T12:00:00Z', '2030-01-02T12:00:00Z', 'clid-5', 'post', 'P-5', null, false)`,
      `insert into messages (id, tenant_id, subscriber_id, conversation_id, number_id, direction, wamid, type, text_preview, status, provider_timestamp, demo) values
        ${[
          msg(1, A, S1, C1, N1, "inbound", "2030-01-01T10:00:00Z", "from the ad"),
          msg(2, A, S1, C1, N1, "outbound", "2030-01-01T10:05:00Z", "welcome"),
          msg(3, A, S1, C2, N1, "inbound", "2030-01-03T10:00:00Z", "back again"),
          // the same time as message 3: the greater id is the last one
          msg(4, A, S1, C2, N1, "outbound", "2030-01-03T10:00:00Z", "reply at the same second"),
          msg(5, A, S1, C3, N2, "inbound", "2030-01-02T09:00:00Z", "other line"),
          msg(6, A, S2, C4, N1, "inbound", "2030-01-01T12:00:00Z", "demo hello", true),
          msg(7, A, S2, null, null, "outbound", "2030-01-05T12:00:00Z", "no number"),
          msg(8, B, S3, C5, NB, "inbound", "2030-01-01T12:00:00Z", "b"),
        ].join(",\n")}`,
    ]);
    await handle.applyMigration();
  });
  afterAll(() => handle.cleanup());

  const chatRows = async () =>
    rowsOf<Record<string, unknown>>(
      await handle.db.execute(sql`
        select tenant_id, subscriber_id, number_id, latest_conversation_id, window_expires_at, last_message_at, last_message_id, last_message_direction,
          last_message_type, last_message_preview, last_inbound_at, unread_count, last_read_at, assigned_user_id, ad_conversation_id, ad_id, demo
        from chats order by tenant_id, subscriber_id, number_id`),
    ).map((r) => ({
      ...r,
      window_expires_at: r.window_expires_at && new Date(r.window_expires_at as string).toISOString(),
      last_message_at: new Date(r.last_message_at as string).toISOString(),
      last_inbound_at: r.last_inbound_at && new Date(r.last_inbound_at as string).toISOString(),
    }));

  it(`makes one chat per subscriber and number with messages, from their latest message and conversations (${kind})`, async () => {
    const none = { unread_count: 0, last_read_at: null, assigned_user_id: null };
    expect(await chatRows()).toEqual([
      {
        tenant_id: A,
        subscriber_id: S1,
        number_id: N1,
        latest_conversation_id: C2,
        window_expires_at: "2030-01-04T10:00:00.000Z",
        last_message_at: "2030-01-03T10:00:00.000Z",
        last_message_id: M(4),
        last_message_direction: "outbound",
        last_message_type: "text",
        last_message_preview: "reply at the same second",
        last_inbound_at: "2030-01-03T10:00:00.000Z",
        ad_conversation_id: C1,
        ad_id: "AD-1",
        demo: false,
        ...none,
      },
      {
        tenant_id: A,
        subscriber_id: S1,
        number_id: N2,
        latest_conversation_id: C3,
        window_expires_at: "2030-01-03T09:00:00.000Z",
        last_message_at: "2030-01-02T09:00:00.000Z",
        last_message_id: M(5),
        last_message_direction: "inbound",
        last_message_type: "text",
        last_message_preview: "other line",
        last_inbound_at: "2030-01-02T09:00:00.000Z",
        ad_conversation_id: null,
        ad_id: null,
        demo: false,
        ...none,
      },
      {
        tenant_id: A,
        subscriber_id: S2,
        number_id: N1,
        latest_conversation_id: C4,
        window_expires_at: "2030-01-02T12:00:00.000Z",
        last_message_at: "2030-01-01T12:00:00.000Z",
        last_message_id: M(6),
        last_message_direction: "inbound",
        last_message_type: "text",
        last_message_preview: "demo hello",
        last_inbound_at: "2030-01-01T12:00:00.000Z",
        ad_conversation_id: null,
        ad_id: null,
        demo: true,
        ...none,
      },
      {
        tenant_id: B,
        subscriber_id: S3,
        number_id: NB,
        latest_conversation_id: C5,
        window_expires_at: "2030-01-02T12:00:00.000Z",
        last_message_at: "2030-01-01T12:00:00.000Z",
        last_message_id: M(8),
        last_message_direction: "inbound",
        last_message_type: "text",
        last_message_preview: "b",
        last_inbound_at: "2030-01-01T12:00:00.000Z",
        ad_conversation_id: C5, // a click id makes it an ad conversation, even without an ad id
        ad_id: null,
        demo: false,
        ...none,
      },
    ]);
  });

  it(`adds the reply columns to messages (${kind})`, async () => {
    await run([`update messages set idempotency_key = 'k-1' where id = '${M(1)}'`]);
    await expect(run([`update messages set idempotency_key = 'k-1' where id = '${M(2)}'`])).rejects.toThrow();
    await run([`update messages set idempotency_key = 'k-1' where id = '${M(8)}'`]); // another tenant may use the same key
  });
});
