// The inbox list's own statement (listChatPage, with its joins) on real Postgres, planned with statistics: the
// first page and a page after a cursor under each filter read a chats index in list order, with no sort.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../migrations-info";
import { createTestDb, type TestDb } from "../testing";
import { transcriptPageQuery } from "./chat-transcript";
import { type ChatListQuery, chatPageQuery } from "./inbox";

type PlanNode = { "Node Type": string; "Index Name"?: string; "Relation Name"?: string; Alias?: string; Plans?: PlanNode[] };
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

const TENANTS = 4;
const PER_TENANT = 5000; // subscribers, each with a chat on two numbers: 40,000 chats

describe.skipIf(!process.env.TEST_DATABASE_URL)("inbox list statement plans (postgres)", () => {
  let t: TestDb;
  let tenantId = "";
  let numberId = "";
  let adId = "";
  let userId = "";
  const now = new Date();

  beforeAll(async () => {
    t = await createTestDb("postgres");
    await t.db.execute(sql`insert into tenants (name) select 'T' || i from generate_series(1, ${TENANTS}) i`);
    await t.db.execute(sql`
      insert into whatsapp_numbers (tenant_id, label, phone_e164, provider, verify_token)
      select tn.id, 'N' || k, '+1555' || lpad(row_number() over ()::text, 7, '0'), 'cloud', md5(random()::text)
      from tenants tn cross join generate_series(1, 2) k`);
    await t.db.execute(sql`
      insert into subscribers (tenant_id, wa_phone, profile_name, first_seen_at)
      select tn.id, '+4915' || lpad(i::text, 9, '0'), 'Person ' || i, now() from tenants tn cross join generate_series(1, ${PER_TENANT}) i`);
    await t.db.execute(sql`insert into users (email, name, password_hash) values ('a@example.com', 'A', 'h'), ('b@example.com', 'B', 'h')`);
    await t.db.execute(sql`
      with u as (select array_agg(id order by email) as ids from users),
      p as (select s.tenant_id, s.id as subscriber_id, n.id as number_id, row_number() over (order by s.wa_phone, n.label) as i
        from subscribers s join whatsapp_numbers n on n.tenant_id = s.tenant_id)
      insert into chats (tenant_id, subscriber_id, number_id, last_message_at, last_message_direction, last_message_type, last_message_preview,
        unread_count, ad_id, assigned_user_id, window_expires_at)
      select p.tenant_id, p.subscriber_id, p.number_id, now() - (p.i * 7919 % 129600) * interval '1 minute', 'inbound', 'text', 'hello',
        case when p.i % 20 = 0 then 1 else 0 end,
        case p.i % 10 when 1 then 'AD-1' when 6 then 'AD-2' else null end,
        case p.i % 4 when 1 then u.ids[1] when 2 then u.ids[2] else null end,
        now() - (p.i * 7919 % 129600) * interval '1 minute' + interval '24 hours'
      from p, u`);
    // 12 messages per chat of one tenant (120,000), a fifth of them reactions
    await t.db.execute(sql`
      insert into messages (tenant_id, subscriber_id, number_id, direction, wamid, type, text_preview, status, provider_timestamp)
      select c.tenant_id, c.subscriber_id, c.number_id, 'inbound', 'wamid.' || c.id || '.' || k, case when k % 5 = 0 then 'reaction' else 'text' end, 'hi',
        'received', c.last_message_at - k * interval '1 hour'
      from chats c cross join generate_series(1, 12) k
      where c.tenant_id = (select tenant_id from chats limit 1)`);
    // and one long chat (2,000 messages) whose page is the case the index is for
    await t.db.execute(sql`
      insert into messages (tenant_id, subscriber_id, number_id, direction, wamid, type, text_preview, status, provider_timestamp)
      select c.tenant_id, c.subscriber_id, c.number_id, 'inbound', 'wamid.long.' || k, case when k % 5 = 0 then 'reaction' else 'text' end, 'hi',
        'received', c.last_message_at - k * interval '1 minute'
      from (select * from chats where tenant_id = (select tenant_id from chats limit 1) order by id limit 1) c cross join generate_series(1, 2000) k`);
    await t.db.execute(sql`analyze`);
    const [row] = rowsOf<{ tenant_id: string; number_id: string; ad_id: string }>(
      await t.db.execute(sql`select tenant_id, number_id, ad_id from chats where ad_id is not null limit 1`),
    );
    ({ tenant_id: tenantId, number_id: numberId, ad_id: adId } = row!);
    userId = rowsOf<{ id: string }>(await t.db.execute(sql`select id from users order by email limit 1`))[0]!.id;
  });
  afterAll(() => t.cleanup());

  const filters = (): [string, Omit<ChatListQuery, "tenantId" | "limit">, string][] => [
    ["everything", {}, "chats_tenant_last_message_idx"],
    ["unread", { unread: true }, "chats_tenant_unread_last_message_idx"],
    ["one number", { numberId }, "chats_tenant_number_last_message_idx"],
    ["one source ad", { adId }, "chats_tenant_ad_last_message_idx"],
    ["assigned to me", { assignedUserId: userId }, "chats_tenant_assigned_last_message_idx"],
    ["unassigned", { assignedUserId: null }, "chats_tenant_assigned_last_message_idx|chats_tenant_last_message_idx"],
    ["window open", { windowOpenAt: now }, "chats_tenant_last_message_idx"],
    ["number, unread", { numberId, unread: true }, "chats_tenant_number_last_message_idx|chats_tenant_unread_last_message_idx"],
    ["assigned to me, window open", { assignedUserId: userId, windowOpenAt: now }, "chats_tenant_assigned_last_message_idx|chats_tenant_last_message_idx"],
  ];
  // a search reads the matching subscribers through their own indexes, then their chats by subscriber, and sorts those few
  const searches = (): [string, ChatListQuery["search"], string][] => [
    ["name", { kind: "name", text: "Person 4711" }, "subscribers_profile_name_trgm_idx"],
    ["phone prefix", { kind: "phone", digits: "491500000471" }, "subscribers_tenant_phone_prefix_idx"],
  ];

  const planOf = async (q: ChatListQuery) => {
    const [row] = rowsOf<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(await t.db.execute(sql`explain (format json) ${chatPageQuery(t.db, q)}`));
    return nodesOf(row!["QUERY PLAN"][0].Plan);
  };
  const cursorOf = async (q: ChatListQuery) => {
    const rows = await chatPageQuery(t.db, { ...q, limit: 200 });
    const last = rows[199] ?? rows[rows.length - 1]!;
    return { at: last.chat.lastMessageAt, id: last.chat.id };
  };

  const check = async (cursor: boolean) => {
    for (const [name, f, index] of filters()) {
      const q: ChatListQuery = { tenantId, limit: 50, ...f };
      const nodes = await planOf(cursor ? { ...q, cursor: await cursorOf(q) } : q);
      const bounded = f.windowOpenAt !== undefined || Object.keys(f).length > 1;
      const scans = nodes.filter((n) => n["Relation Name"] === "chats" || n["Node Type"] === "Bitmap Index Scan").map((n) => n["Node Type"]);
      const indexes = nodes
        .filter((n) => n["Index Name"]?.startsWith("chats_"))
        .map((n) => (index.split("|").includes(n["Index Name"]!) ? index : n["Index Name"]));
      const distinct = [...new Set(indexes)];
      // an open window is a range of the last 24 h, and a combination with unread the small unread index: the planner
      // may read that range or set (bitmap) and sort it, never the tenant's whole list
      expect({ name, scans, distinct }).toEqual({
        name,
        scans: bounded && scans[0] === "Bitmap Heap Scan" ? scans : ["Index Scan"],
        distinct: [index],
      });
      if (!bounded) expect({ name, sorts: nodes.filter((n) => n["Node Type"].includes("Sort")).length }).toEqual({ name, sorts: 0 });
    }
  };

  it("reads a search's matches from the subscribers' indexes and their chats by subscriber", async () => {
    for (const [name, search, index] of searches()) {
      for (const cursor of [false, true]) {
        const q: ChatListQuery = { tenantId, limit: 50, search };
        const nodes = await planOf(cursor ? { ...q, cursor: await cursorOf(q) } : q);
        const used = new Set(nodes.flatMap((n) => n["Index Name"] ?? []));
        const chatScans = nodes.filter((n) => n["Relation Name"] === "chats" && n["Alias"] === "chats").map((n) => n["Index Name"] ?? n["Node Type"]);
        expect({ name, cursor, subscribers: used.has(index), chats: chatScans }).toEqual({
          name,
          cursor,
          subscribers: true,
          chats: ["chats_subscriber_number_key"],
        });
        expect({
          name,
          seqScans: nodes.filter((n) => n["Node Type"] === "Seq Scan" && ["chats", "subscribers"].includes(n["Relation Name"]!)).map((n) => n["Relation Name"]),
        }).toEqual({ name, seqScans: [] });
      }
    }
  });

  it("reads a chat's transcript page from its subscriber's range of messages_subscriber_time_idx, first and after a cursor", async () => {
    const [c] = rowsOf<{ subscriber_id: string; number_id: string; tenant_id: string }>(
      await t.db.execute(sql`select tenant_id, subscriber_id, number_id from messages where wamid like 'wamid.long.%' limit 1`),
    );
    const keys = { tenantId: c!.tenant_id, subscriberId: c!.subscriber_id, numberId: c!.number_id };
    const rows = await transcriptPageQuery(t.db, { ...keys, limit: 4 });
    expect(rows.length).toBe(5);
    for (const cursor of [undefined, { at: rows[3]!.providerTimestamp, id: rows[3]!.id }]) {
      const [row] = rowsOf<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
        await t.db.execute(sql`explain (format json) ${transcriptPageQuery(t.db, { ...keys, cursor, limit: 50 })}`),
      );
      const nodes = nodesOf(row!["QUERY PLAN"][0].Plan);
      // the subscriber's range of messages_subscriber_time_idx: read in order, or (when the planner expects the
      // range on few pages, which depends on the statistics of the moment) as a bitmap of that range and then
      // sorted; never another index of messages and never a scan of the table
      const scans = nodes.filter((n) => n["Relation Name"] === "messages" || n["Index Name"]?.startsWith("messages_"));
      const ordered = scans.length === 1 && scans[0]!["Node Type"] === "Index Scan" && scans[0]!["Index Name"] === "messages_subscriber_time_idx";
      const bitmap =
        scans.some((n) => n["Node Type"] === "Bitmap Heap Scan") &&
        scans.filter((n) => n["Node Type"] === "Bitmap Index Scan").every((n) => n["Index Name"] === "messages_subscriber_time_idx");
      expect({ cursor: !!cursor, plan: ordered || bitmap ? "subscriber range" : scans.map((n) => [n["Node Type"], n["Index Name"]]) }).toEqual({
        cursor: !!cursor,
        plan: "subscriber range",
      });
      if (ordered) expect(nodes.filter((n) => n["Node Type"].includes("Sort")).length).toBe(0);
    }
  });

  it("reads each filter's first page from a chats index, in order", () => check(false));
  it("reads a page after a cursor the same way", () => check(true));
});
