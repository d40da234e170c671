// Migration 0017 on a database that already has data (applied up to 0016 first, then 0017 and 0018, which makes the
// quiet hours check refuse one bound without the other: `null between …` is null, which 0017's check let through): existing rows
// keep their values and get the defaults, a pending reply may have no wamid while the rest stay unique, quiet hours
// are both-or-neither within the day, and quick replies are checked and unique per workspace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MigrationTestDb, openDatabaseBefore, testDrivers } from "./testing";

const TAG = "0017_inbox_replies";
const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";
const N = "00000000-0000-4000-8000-000000000101";
const S = "00000000-0000-4000-8000-000000000201";

describe.each(testDrivers)("migrations 0017 and 0018 (%s)", (kind) => {
  let handle: MigrationTestDb;
  const run = (statements: string[]) => handle.run(statements);
  const rows = <T>(q: string) => handle.rows<T>(q);
  const refused = async (q: string) => {
    let error: unknown = null;
    try {
      await run([q]);
    } catch (e) {
      error = e;
    }
    return error !== null;
  };

  beforeAll(async () => {
    handle = await openDatabaseBefore(kind, TAG);
    await run([
      `insert into tenants (id, name) values ('${A}', 'A'), ('${B}', 'B')`,
      `insert into whatsapp_numbers (id, tenant_id, label, phone_e164, provider, verify_token) values ('${N}', '${A}', 'One', '+15550000001', 'cloud', 'v1')`,
      `insert into subscribers (id, tenant_id, wa_phone, first_seen_at) values ('${S}', '${A}', '+4915100000001', '2030-01-01T10:00:00Z')`,
      `insert into messages (tenant_id, subscriber_id, number_id, direction, wamid, type, status, provider_timestamp)
        values ('${A}', '${S}', '${N}', 'inbound', 'wamid.1', 'text', 'received', '2030-01-01T10:00:00Z')`,
      `insert into templates (tenant_id, name, title, content) values ('${A}', 'day1', 'Day 1', 'Hello')`,
    ]);
    await handle.applyRemaining();
  });
  afterAll(() => handle.cleanup());

  it("keeps existing rows, with the new defaults", async () => {
    expect(await rows(`select wamid, status from messages`)).toEqual([{ wamid: "wamid.1", status: "received" }]);
    expect(await rows(`select stop_on_reply from templates`)).toEqual([{ stop_on_reply: true }]);
    const [tenant] = await rows<{ quiet_hours_start: number | null; quiet_hours_end: number | null; drip_stop_events: string[] }>(
      `select quiet_hours_start, quiet_hours_end, drip_stop_events from tenants where id = '${A}'`,
    );
    expect(tenant).toEqual({ quiet_hours_start: null, quiet_hours_end: null, drip_stop_events: ["Purchase"] });
  });

  it("lets pending replies have no wamid, and keeps the others unique", async () => {
    const pending = `insert into messages (tenant_id, subscriber_id, number_id, direction, wamid, type, status, provider_timestamp)
      values ('${A}', '${S}', '${N}', 'outbound', null, 'text', 'pending', now())`;
    expect(await refused(pending)).toBe(false);
    expect(await refused(pending)).toBe(false);
    expect(
      await refused(`insert into messages (tenant_id, subscriber_id, number_id, direction, wamid, type, status, provider_timestamp)
        values ('${A}', '${S}', '${N}', 'outbound', 'wamid.1', 'text', 'sent', now())`),
    ).toBe(true);
    expect(
      await refused(`insert into messages (tenant_id, subscriber_id, number_id, direction, wamid, type, status, provider_timestamp)
        values ('${A}', '${S}', '${N}', 'outbound', 'wamid.2', 'text', 'queued', now())`),
    ).toBe(true);
  });

  it("takes quiet hours as both or neither, within the day", async () => {
    expect(await refused(`update tenants set quiet_hours_start = 1320, quiet_hours_end = 480 where id = '${A}'`)).toBe(false);
    expect(await refused(`update tenants set quiet_hours_start = 1320, quiet_hours_end = null where id = '${A}'`)).toBe(true);
    expect(await refused(`update tenants set quiet_hours_start = 1440, quiet_hours_end = 480 where id = '${A}'`)).toBe(true);
    expect(await refused(`update tenants set quiet_hours_start = -1, quiet_hours_end = 480 where id = '${A}'`)).toBe(true);
    expect(await refused(`update tenants set quiet_hours_start = null, quiet_hours_end = null where id = '${A}'`)).toBe(false);
  });

  it("checks quick replies' shortcut and text, unique per workspace", async () => {
    const add = (tenant: string, shortcut: string, text = "We are open 9–18") =>
      refused(`insert into quick_replies (tenant_id, shortcut, text) values ('${tenant}', '${shortcut}', '${text}')`);
    expect(await add(A, "hours")).toBe(false);
    expect(await add(A, "hours")).toBe(true);
    expect(await add(B, "hours")).toBe(false);
    expect(await add(A, "two words")).toBe(true);
    expect(await add(A, "x".repeat(33))).toBe(true);
    expect(await add(A, "empty", "")).toBe(true);
    expect(await add(A, "Price_list-2")).toBe(false);
  });
});
