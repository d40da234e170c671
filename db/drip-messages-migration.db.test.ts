// Migration 0020 on a database that already has drip sends (applied up to 0019 first): each sent queue row of a known
// subscriber on a number becomes one outbound message with the provider's id and the statuses it had, and the chats
// are rebuilt from the messages, keeping a chat's unread count and assignment; rows that were not sent, or have no
// subscriber, leave no message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MigrationTestDb, openDatabaseBefore, testDrivers } from "./testing";

const TAG = "0020_drip_messages_backfill";
const A = "00000000-0000-4000-8000-00000000000a";
const N = "00000000-0000-4000-8000-000000000101";
const S = "00000000-0000-4000-8000-000000000201";
const T = "00000000-0000-4000-8000-000000000301";

describe.each(testDrivers)("migration 0020 (%s)", (kind) => {
  let handle: MigrationTestDb;
  const run = (statements: string[]) => handle.run(statements);
  const rows = <T>(q: string) => handle.rows<T>(q);

  beforeAll(async () => {
    handle = await openDatabaseBefore(kind, TAG);
    const queued = (status: string, subscriber: string | null, wamid: string | null, extra = "null, null") =>
      `insert into outbound_messages (tenant_id, subscriber_id, number_id, phone, template_id, template_name, rendered_text, scheduled_at, status,
        sent_at, provider_message_id, delivered_at, read_at)
       values ('${A}', ${subscriber ? `'${subscriber}'` : "null"}, '${N}', '+4915100000001', '${T}', 'day1', 'Hi Ana, see you on Saturday',
        '2030-01-01T11:00:00Z', '${status}', ${status === "sent" ? "'2030-01-01T11:00:00Z'" : "null"}, ${wamid ? `'${wamid}'` : "null"}, ${extra})`;
    await run([
      `insert into tenants (id, name) values ('${A}', 'A')`,
      `insert into whatsapp_numbers (id, tenant_id, label, phone_e164, provider, verify_token) values ('${N}', '${A}', 'One', '+15550000001', 'cloud', 'v1')`,
      `insert into subscribers (id, tenant_id, wa_phone, first_seen_at) values ('${S}', '${A}', '+4915100000001', '2030-01-01T10:00:00Z')`,
      `insert into templates (id, tenant_id, name, title, content) values ('${T}', '${A}', 'day1', 'Day 1', 'Hi {{name}}')`,
      `insert into messages (tenant_id, subscriber_id, number_id, direction, wamid, type, text_preview, status, provider_timestamp)
        values ('${A}', '${S}', '${N}', 'inbound', 'wamid.in1', 'text', 'Hello', 'received', '2030-01-01T10:00:00Z')`,
      `insert into chats (tenant_id, subscriber_id, number_id, last_message_at, last_message_direction, last_message_preview, unread_count)
        values ('${A}', '${S}', '${N}', '2030-01-01T10:00:00Z', 'inbound', 'Hello', 1)`,
      queued("sent", S, "wamid.drip1", "'2030-01-01T11:01:00Z', '2030-01-01T11:02:00Z'"),
      queued("sent", null, "wamid.drip2"),
      queued("pending", S, null),
      queued("failed", S, "wamid.drip3"),
    ]);
    await handle.applyRemaining();
  });
  afterAll(() => handle.cleanup());

  it("records each sent drip row of a known subscriber once, as an outbound message with its statuses", async () => {
    const out = await rows<{ wamid: string; status: string; text_preview: string; read_at: unknown; drip: string }>(
      `select wamid, status, text_preview, read_at, payload->>'drip_template_name' as drip from messages where direction = 'outbound'`,
    );
    expect(out).toEqual([{ wamid: "wamid.drip1", status: "read", text_preview: "Hi Ana, see you on Saturday", read_at: expect.anything(), drip: "day1" }]);
  });

  it("rebuilds the chat: the drip message is its last one, its unread count kept", async () => {
    const [chat] = await rows<{ last_message_direction: string; last_message_preview: string; unread_count: number }>(
      `select last_message_direction, last_message_preview, unread_count from chats where subscriber_id = '${S}'`,
    );
    expect(chat).toEqual({ last_message_direction: "outbound", last_message_preview: "Hi Ana, see you on Saturday", unread_count: 1 });
  });
});
