// Migration 0022 on a database that already has chats: each chat gets its subscriber's name and username
// (search_name), and from then on triggers keep it: a chat inserted without it is filled, a rename is copied to every
// chat of the subscriber (and only theirs). Applied up to 0021 first (the data of before), then 0022 alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MigrationTestDb, openDatabaseBefore, testDrivers } from "./testing";

const A = "00000000-0000-4000-8000-00000000000a";
const N1 = "00000000-0000-4000-8000-000000000101";
const N2 = "00000000-0000-4000-8000-000000000102";
const S1 = "00000000-0000-4000-8000-000000000201"; // a name and a username, chats on both numbers
const S2 = "00000000-0000-4000-8000-000000000202"; // neither
const S3 = "00000000-0000-4000-8000-000000000203"; // gets a chat after the migration
const CH = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe.each(testDrivers)("migration 0022 gives chats their subscriber's name (%s)", (kind) => {
  let handle: MigrationTestDb;
  const names = async () =>
    Object.fromEntries(
      (await handle.rows<{ id: string; search_name: string | null }>(`select id::text, search_name from chats order by id`)).map((r) => [r.id, r.search_name]),
    );

  beforeAll(async () => {
    handle = await openDatabaseBefore(kind, "0022_chat_search_name");
    await handle.run([
      `insert into tenants (id, name) values ('${A}', 'A')`,
      `insert into whatsapp_numbers (id, tenant_id, label, phone_e164, provider, verify_token) values
        ('${N1}', '${A}', 'One', '+15550000001', 'cloud', 'v1'), ('${N2}', '${A}', 'Two', '+15550000002', 'cloud', 'v2')`,
      `insert into subscribers (id, tenant_id, wa_phone, profile_name, username, first_seen_at) values
        ('${S1}', '${A}', '+4915100000001', 'Priya Sharma', 'priya_s', '2030-01-01T10:00:00Z'),
        ('${S2}', '${A}', '+4915100000002', null, null, '2030-01-01T10:00:00Z'),
        ('${S3}', '${A}', '+4915100000003', 'Olga', null, '2030-01-01T10:00:00Z')`,
      `insert into chats (id, tenant_id, subscriber_id, number_id, last_message_at) values
        ('${CH(1)}', '${A}', '${S1}', '${N1}', '2030-01-01T10:00:00Z'), ('${CH(2)}', '${A}', '${S1}', '${N2}', '2030-01-01T11:00:00Z'),
        ('${CH(3)}', '${A}', '${S2}', '${N1}', '2030-01-01T12:00:00Z')`,
    ]);
    await handle.applyMigration();
  });
  afterAll(() => handle?.cleanup());

  it("fills the chats there were", async () => {
    expect(await names()).toEqual({ [CH(1)]: "Priya Sharma\npriya_s", [CH(2)]: "Priya Sharma\npriya_s", [CH(3)]: "\n" });
  });

  it("fills a chat inserted without it, and keeps one given", async () => {
    await handle.run([
      `insert into chats (id, tenant_id, subscriber_id, number_id, last_message_at) values ('${CH(4)}', '${A}', '${S3}', '${N1}', '2030-01-02T10:00:00Z')`,
      `insert into chats (id, tenant_id, subscriber_id, number_id, last_message_at, search_name) values ('${CH(5)}', '${A}', '${S3}', '${N2}', '2030-01-02T10:00:00Z', 'given')`,
    ]);
    const after = await names();
    expect(after[CH(4)]).toBe("Olga\n");
    expect(after[CH(5)]).toBe("given");
  });

  it("copies a rename to every chat of that subscriber, and leaves the others", async () => {
    await handle.run([`update subscribers set profile_name = 'Priya S.', username = null where id = '${S1}'`]);
    await handle.run([`update subscribers set last_inbound_at = now() where id = '${S2}'`]); // no name change: nothing to copy
    const after = await names();
    expect(after[CH(1)]).toBe("Priya S.\n");
    expect(after[CH(2)]).toBe("Priya S.\n");
    expect(after[CH(3)]).toBe("\n");
    expect(after[CH(4)]).toBe("Olga\n");
  });
});
