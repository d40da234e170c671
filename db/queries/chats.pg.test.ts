// The inbox's first pages on real Postgres, planned with statistics: each filter reads its chats index in list
// order (no sort of the tenant's chats, no scan of the table), and so does a page after a cursor.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../migrations-info";
import { createTestDb, type TestDb } from "../testing";

type PlanNode = { "Node Type": string; "Index Name"?: string; "Relation Name"?: string; Plans?: PlanNode[] };
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

const TENANTS = 4;
const PER_TENANT = 5000; // subscribers, each with a chat on two numbers: 40,000 chats

describe.skipIf(!process.env.TEST_DATABASE_URL)("inbox list plans (postgres)", () => {
  let t: TestDb;
  let tenantId = "";
  let numberId = "";
  let adId = "";
  let userId = "";

  beforeAll(async () => {
    t = await createTestDb("postgres");
    await t.db.execute(sql`insert into tenants (name) select 'T' || i from generate_series(1, ${TENANTS}) i`);
    await t.db.execute(sql`
      insert into whatsapp_numbers (tenant_id, label, phone_e164, provider, verify_token)
      select tn.id, 'N' || k, '+1555' || lpad(row_number() over ()::text, 7, '0'), 'cloud', md5(random()::text)
      from tenants tn cross join generate_series(1, 2) k`);
    await t.db.execute(sql`
      insert into subscribers (tenant_id, wa_phone, first_seen_at)
      select tn.id, '+4915' || lpad(i::text, 9, '0'), now() from tenants tn cross join generate_series(1, ${PER_TENANT}) i`);
    await t.db.execute(sql`insert into users (email, name, password_hash) values ('a@example.com', 'A', 'h'), ('b@example.com', 'B', 'h')`);
    // deterministic mix: activity spread over 90 days, a twentieth unread, a fifth from one of two ads, half assigned to one of two people
    await t.db.execute(sql`
      with u as (select array_agg(id order by email) as ids from users),
      p as (select s.tenant_id, s.id as subscriber_id, n.id as number_id, row_number() over (order by s.wa_phone, n.label) as i
        from subscribers s join whatsapp_numbers n on n.tenant_id = s.tenant_id)
      insert into chats (tenant_id, subscriber_id, number_id, last_message_at, last_message_direction, last_message_type, last_message_preview,
        unread_count, ad_id, assigned_user_id)
      select p.tenant_id, p.subscriber_id, p.number_id, now() - (p.i * 7919 % 129600) * interval '1 minute', 'inbound', 'text', 'hello',
        case when p.i % 20 = 0 then 1 else 0 end,
        case p.i % 10 when 1 then 'AD-1' when 6 then 'AD-2' else null end,
        case p.i % 4 when 1 then u.ids[1] when 2 then u.ids[2] else null end
      from p, u`);
    await t.db.execute(sql`analyze chats`);
    const [row] = rowsOf<{ tenant_id: string; number_id: string; ad_id: string }>(
      await t.db.execute(sql`select tenant_id, number_id, ad_id from chats where ad_id is not null limit 1`),
    );
    ({ tenant_id: tenantId, number_id: numberId, ad_id: adId } = row!);
    userId = rowsOf<{ id: string }>(await t.db.execute(sql`select id from users order by email limit 1`))[0]!.id;
  });
  afterAll(() => t.cleanup());

  const plan = async (where: ReturnType<typeof sql>, cursor?: { at: Date; id: string }) => {
    const after = cursor
      ? sql` and (last_message_at < ${cursor.at.toISOString()}::timestamptz or (last_message_at = ${cursor.at.toISOString()}::timestamptz and id < ${cursor.id}))`
      : sql``;
    const [row] = rowsOf<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
      await t.db.execute(
        sql`explain (format json) select id, subscriber_id, number_id, last_message_preview, unread_count, window_expires_at from chats where tenant_id = ${tenantId}${where}${after} order by last_message_at desc, id desc limit 50`,
      ),
    );
    return nodesOf(row!["QUERY PLAN"][0].Plan);
  };
  const cursorOf = async (where: ReturnType<typeof sql>) => {
    const rows = rowsOf<{ id: string; last_message_at: string | Date }>(
      await t.db.execute(
        sql`select id, last_message_at from chats where tenant_id = ${tenantId}${where} order by last_message_at desc, id desc offset 199 limit 1`,
      ),
    );
    return { at: new Date(rows[0]!.last_message_at), id: rows[0]!.id };
  };

  const filters = () =>
    [
      ["everything", sql``, "chats_tenant_last_message_idx"],
      ["unread", sql` and unread_count > 0`, "chats_tenant_unread_last_message_idx"],
      ["one number", sql` and number_id = ${numberId}`, "chats_tenant_number_last_message_idx"],
      ["one source ad", sql` and ad_id = ${adId}`, "chats_tenant_ad_last_message_idx"],
      ["assigned to me", sql` and assigned_user_id = ${userId}`, "chats_tenant_assigned_last_message_idx"],
      // half of them: the plain list index, filtered, reads as few rows (when they are rare, the planner picks the assigned index)
      ["unassigned", sql` and assigned_user_id is null`, "chats_tenant_assigned_last_message_idx|chats_tenant_last_message_idx"],
    ] as const;

  it("reads each filter's first page from its index, in order", async () => {
    for (const [name, where, index] of filters()) {
      const nodes = await plan(where);
      const scans = nodes.filter((n) => n["Relation Name"] === "chats");
      expect({ name, scans: scans.map((n) => [n["Node Type"], index.split("|").includes(n["Index Name"] ?? "") ? index : n["Index Name"]]) }).toEqual({
        name,
        scans: [["Index Scan", index]],
      });
      expect({ name, sorts: nodes.filter((n) => n["Node Type"].includes("Sort")).length }).toEqual({ name, sorts: 0 });
    }
  });

  it("reads a page after a cursor the same way", async () => {
    for (const [name, where, index] of filters()) {
      const nodes = await plan(where, await cursorOf(where));
      const scans = nodes.filter((n) => n["Relation Name"] === "chats");
      expect({ name, scans: scans.map((n) => [n["Node Type"], index.split("|").includes(n["Index Name"] ?? "") ? index : n["Index Name"]]) }).toEqual({
        name,
        scans: [["Index Scan", index]],
      });
      expect({ name, sorts: nodes.filter((n) => n["Node Type"].includes("Sort")).length }).toEqual({ name, sorts: 0 });
    }
  });
});
