// The newest-first lists on real Postgres, planned with statistics: each list's own statement (captured from
// its query function through a drizzle logger and EXPLAINed with its parameters) reads its index in list
// order for the first page and for a page after a cursor: no sort of the tenant's rows, no scan of the table.
// drizzle's `.desc()` index columns are DESC NULLS LAST, so the lists must order `desc nulls last` too
// (keyset.ts newestFirst); a plain `desc` (NULLS FIRST) could not read them in order.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import * as schema from "../schema";
import { createTestDb, type TestDb } from "../testing";
import { listApiKeys } from "./api-keys";
import { listSubscriberConversations } from "./conversations";
import { listConversionRows } from "./conversions";
import { listQueueRows } from "./drip";
import type { Cursor } from "./keyset";
import { listLeadRows } from "./leads";
import { listSubscriberMessages } from "./messages";
import { NAME_WALK_ROWS, listSubscriberPage } from "./subscriber-list";
import { refreshDueScoreBatch } from "./subscriber-scores";
import { listNumbers } from "./numbers";
import { listSubscriberConversions, listSubscriberOutbound } from "./subscriber-timeline";
import { listRecentLeadsForPreview, listTemplateRevisions } from "./templates";
import { listOpenInvites, listUsers } from "./users";
import { listTenantWebhookEventSummaries } from "./webhook-event-list";

type PlanNode = { "Node Type": string; "Index Name"?: string; "Relation Name"?: string; Plans?: PlanNode[] };
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

const TENANTS = 2;
const N = 20_000; // rows of each list in each tenant (and for one subscriber)

describe.skipIf(!process.env.TEST_DATABASE_URL)("newest-first list plans (postgres)", () => {
  let t: TestDb;
  let client: postgres.Sql;
  let db: Db; // the same database through a drizzle that records each statement
  const statements: { query: string; params: unknown[] }[] = [];
  let tenantId = "";
  let subscriberId = "";
  let templateId = "";

  beforeAll(async () => {
    t = await createTestDb("postgres");
    const x = (q: ReturnType<typeof sql>) => t.db.execute(q);
    await x(sql`insert into tenants (name) select 'T' || i from generate_series(1, ${TENANTS}) i`);
    // a spread of distinct times over ~28 hours, in no particular insertion order
    const at = sql.raw(`now() - (i * 7919 % 100000) * interval '1 second'`);
    await x(sql`insert into users (email, name, password_hash)
      select 'u' || tn.name || '-' || i || '@example.com', 'U' || i, 'h' from tenants tn cross join generate_series(1, ${N}) i`);
    await x(sql`insert into memberships (user_id, tenant_id, role, created_at)
      select u.id, tn.id, 'marketer', now() - (hashtext(u.email)::bigint % 100000) * interval '1 second'
      from users u join tenants tn on u.email like 'u' || tn.name || '-%'`);
    await x(sql`insert into user_invites (tenant_id, email, role, token_hash, expires_at, created_at)
      select tn.id, 'i' || i || '@example.com', 'marketer', md5(tn.name || i), now() + interval '7 days', ${at} from tenants tn cross join generate_series(1, ${N}) i`);
    await x(sql`insert into api_keys (tenant_id, name, prefix, key_hash, created_at)
      select tn.id, 'K' || i, 'ct_' || i, md5(tn.name || i), ${at} from tenants tn cross join generate_series(1, ${N}) i`);
    await x(sql`insert into whatsapp_numbers (tenant_id, label, phone_e164, provider, verify_token, created_at)
      select tn.id, 'N' || i, '+1555' || lpad(i::text, 7, '0'), 'cloud', md5(tn.name || 'n' || i), ${at} from tenants tn cross join generate_series(1, ${N}) i`);
    await x(sql`insert into leads (tenant_id, name, phone, created_at)
      select tn.id, 'L' || i, '+4917' || lpad(i::text, 8, '0'), ${at} from tenants tn cross join generate_series(1, ${N}) i`);
    await x(sql`insert into subscribers (tenant_id, wa_phone, first_seen_at)
      select tn.id, '+4915' || lpad(i::text, 9, '0'), now() from tenants tn cross join generate_series(1, 100) i`);
    // one subscriber of each tenant carries a long history; the others a little
    await x(sql`insert into outbound_messages (tenant_id, subscriber_id, phone, template_name, scheduled_at, status)
      select s.tenant_id, s.id, s.wa_phone, 'Welcome', ${at}, case i % 4 when 0 then 'pending' when 1 then 'sent' when 2 then 'failed' else 'cancelled' end
      from subscribers s cross join generate_series(1, ${N} / 100) i`);
    await x(sql`insert into conversions (tenant_id, subscriber_id, event_id, event_name, event_time, request_hash, status, created_at)
      select s.tenant_id, s.id, s.wa_phone || '-' || i, case i % 3 when 0 then 'Purchase' when 1 then 'Lead' else 'Contact' end, ${at}, 'h',
        case i % 4 when 0 then 'queued' when 1 then 'sent' when 2 then 'failed' else 'rejected' end, ${at}
      from subscribers s cross join generate_series(1, ${N} / 100) i`);
    await x(sql`insert into messages (tenant_id, subscriber_id, direction, wamid, type, status, provider_timestamp)
      select s.tenant_id, s.id, 'inbound', s.wa_phone || '-' || i, 'text', 'received', ${at} from subscribers s cross join generate_series(1, ${N} / 100) i`);
    await x(sql`insert into conversations (tenant_id, subscriber_id, started_at, last_message_at, window_expires_at)
      select s.tenant_id, s.id, ${at}, ${at}, ${at} + interval '24 hours' from subscribers s cross join generate_series(1, ${N} / 100) i`);
    await x(sql`insert into webhook_events (tenant_id, provider, raw_body, signature_result, status, received_at)
      select tn.id, 'cloud', '{}', 'valid', 'processed', ${at} from tenants tn cross join generate_series(1, ${N}) i`);
    await x(sql`insert into templates (tenant_id, name, title, content) select tn.id, 'welcome', 'Welcome', 'Hi' from tenants tn`);
    await x(sql`insert into template_revisions (tenant_id, template_id, revision, snapshot)
      select tp.tenant_id, tp.id, i, '{}' from templates tp cross join generate_series(1, ${N}) i`);
    // the heavy subscriber: the first of its tenant gets a hundred times the others' history
    tenantId = rowsOf<{ id: string }>(await x(sql`select id from tenants order by name limit 1`))[0]!.id;
    subscriberId = rowsOf<{ id: string }>(await x(sql`select id from subscribers where tenant_id = ${tenantId} order by wa_phone limit 1`))[0]!.id;
    templateId = rowsOf<{ id: string }>(await x(sql`select id from templates where tenant_id = ${tenantId}`))[0]!.id;
    for (const table of ["outbound_messages", "conversions", "messages", "conversations"]) {
      await x(sql`update ${sql.identifier(table)} set subscriber_id = ${subscriberId} where tenant_id = ${tenantId}`);
    }
    await x(sql`analyze`);
    client = postgres(t.url!, { max: 1, onnotice: () => {} });
    db = drizzle(client, { schema, logger: { logQuery: (query, params) => statements.push({ query, params }) } }) as unknown as Db;
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await t?.cleanup();
  });

  /** The plan of the last statement `run` sends. */
  const planOf = async (run: () => Promise<unknown>) => {
    statements.length = 0;
    await run();
    const last = statements.at(-1)!;
    const rows = await client.unsafe(`explain (format json) ${last.query}`, last.params as postgres.ParameterOrJSON<never>[]);
    return nodesOf((rows[0] as unknown as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
  };
  /** The (time, id) of the 200th row of the list, as a cursor. */
  const cursorAt = async (query: ReturnType<typeof sql>): Promise<Cursor> => {
    const [row] = rowsOf<{ at: string | Date; id: string }>(await t.db.execute(sql`${query} offset 199 limit 1`));
    return { at: new Date(row!.at), id: row!.id };
  };

  type List = {
    name: string;
    table: string;
    /** the index the list reads ("a|b": either; the heavy subscriber holds all its tenant's rows, so the tenant's index fits too) */
    index: string;
    /** the list's own query function, for a first page (no cursor) or a cursor page */
    page: (cursor?: Cursor) => Promise<unknown>;
    /** the list's rows as (at, id) in list order, for the cursor; none: the list has no cursor */
    order?: ReturnType<typeof sql>;
    /** its index has no id column: the id orders ties with an incremental sort within equal times */
    incremental?: boolean;
  };
  const lists = (): List[] => {
    const tenant = (table: string, at: string, id = "id") =>
      sql.raw(`select ${at} as at, ${id} as id from ${table} where tenant_id = '${tenantId}' order by ${at} desc, ${id} desc`);
    const limit = 50;
    return [
      {
        name: "users",
        table: "memberships",
        index: "memberships_tenant_created_idx",
        page: (cursor) => listUsers(db, { tenantId, cursor, limit }),
        order: tenant("memberships", "created_at", "user_id"),
      },
      { name: "open invites", table: "user_invites", index: "user_invites_tenant_created_idx", page: () => listOpenInvites(db, { tenantId, now: new Date() }) },
      {
        name: "API keys",
        table: "api_keys",
        index: "api_keys_tenant_created_idx",
        page: (cursor) => listApiKeys(db, { tenantId, cursor, limit }),
        order: tenant("api_keys", "created_at"),
      },
      {
        name: "numbers",
        table: "whatsapp_numbers",
        index: "whatsapp_numbers_tenant_created_idx",
        page: (cursor) => listNumbers(db, { tenantId, cursor, limit }),
        order: tenant("whatsapp_numbers", "created_at"),
      },
      {
        name: "leads",
        table: "leads",
        index: "leads_tenant_created_idx",
        page: (cursor) => listLeadRows(db, { tenantId, cursor, limit }),
        order: tenant("leads", "created_at"),
      },
      { name: "template preview leads", table: "leads", index: "leads_tenant_created_idx", page: () => listRecentLeadsForPreview(db, { tenantId, limit: 20 }) },
      {
        name: "webhook events",
        table: "webhook_events",
        index: "webhook_events_tenant_received_idx",
        page: (cursor) => listTenantWebhookEventSummaries(db, { tenantId, cursor, limit }),
        order: tenant("webhook_events", "received_at"),
      },
      {
        name: "conversions",
        table: "conversions",
        index: "conversions_tenant_created_idx",
        page: (cursor) => listConversionRows(db, { tenantId, cursor, limit }),
        order: tenant("conversions", "created_at"),
      },
      {
        name: "conversions, one status",
        table: "conversions",
        index: "conversions_tenant_status_created_idx",
        page: (cursor) => listConversionRows(db, { tenantId, status: "failed", cursor, limit }),
        order: sql`select created_at as at, id from conversions where tenant_id = ${tenantId} and status = 'failed' order by created_at desc, id desc`,
      },
      {
        name: "conversions, one event",
        table: "conversions",
        index: "conversions_tenant_event_created_idx",
        page: (cursor) => listConversionRows(db, { tenantId, eventName: "Lead", cursor, limit }),
        order: sql`select created_at as at, id from conversions where tenant_id = ${tenantId} and event_name = 'Lead' order by created_at desc, id desc`,
      },
      {
        name: "drip queue, newest first",
        table: "outbound_messages",
        index: "outbound_messages_tenant_scheduled_idx",
        page: (cursor) => listQueueRows(db, { tenantId, cursor, limit }),
        order: tenant("outbound_messages", "scheduled_at"),
      },
      {
        name: "drip queue, oldest first",
        table: "outbound_messages",
        index: "outbound_messages_tenant_scheduled_idx",
        page: (cursor) => listQueueRows(db, { tenantId, cursor, limit, order: "asc" }),
        order: sql`select scheduled_at as at, id from outbound_messages where tenant_id = ${tenantId} order by scheduled_at, id`,
      },
      {
        name: "subscriber messages",
        table: "messages",
        index: "messages_subscriber_time_idx",
        page: () => listSubscriberMessages(db, { tenantId, subscriberId }),
      },
      {
        name: "subscriber conversations",
        table: "conversations",
        index: "conversations_subscriber_started_idx|conversations_tenant_started_idx",
        page: () => listSubscriberConversations(db, { tenantId, subscriberId }),
        incremental: true,
      },
      {
        name: "subscriber conversions",
        table: "conversions",
        index: "conversions_subscriber_time_idx",
        page: () => listSubscriberConversions(db, { tenantId, subscriberId }),
        incremental: true,
      },
      {
        name: "subscriber outbound",
        table: "outbound_messages",
        index: "outbound_messages_subscriber_idx|outbound_messages_tenant_scheduled_idx",
        page: () => listSubscriberOutbound(db, { tenantId, subscriberId }),
        incremental: true,
      },
      // an ascending unique index read backwards: plain `desc` (NULLS FIRST) is its order already
      {
        name: "template revisions",
        table: "template_revisions",
        index: "template_revisions_template_revision_key",
        page: () => listTemplateRevisions(db, { tenantId, templateId, limit }),
      },
    ];
  };

  // a partitioned table (webhook_events: one partition a day) is read through its partitions and their indexes: each
  // counts as the parent, and the scans of several partitions with the same verdict as one
  const parentOf = async () =>
    new Map(
      rowsOf<{ child: string; parent: string }>(
        await t.db.execute(
          sql`select c.relname as child, p.relname as parent from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent`,
        ),
      ).map((r) => [r.child, r.parent]),
    );
  let parents = new Map<string, string>();
  const asParent = (name: string | undefined) => (name === undefined ? undefined : (parents.get(name) ?? name));
  const verdict = (l: List, nodes: PlanNode[]) => ({
    name: l.name,
    scans: [
      ...new Set(
        nodes
          .filter((n) => asParent(n["Relation Name"]) === l.table)
          .map((n) => {
            const index = asParent(n["Index Name"]);
            return JSON.stringify([n["Node Type"].replace("Index Only Scan", "Index Scan"), l.index.split("|").includes(index ?? "") ? l.index : index]);
          }),
      ),
    ].map((v) => JSON.parse(v) as [string, string | undefined]),
    sorts: nodes.filter((n) => n["Node Type"] === "Sort" || (!l.incremental && n["Node Type"] === "Incremental Sort")).length,
  });
  const expected = (l: List) => ({ name: l.name, scans: [["Index Scan", l.index]], sorts: 0 });

  it("reads each list's first page from its index, in order", async () => {
    parents = await parentOf();
    const all = lists();
    const got = [];
    for (const l of all) got.push(verdict(l, await planOf(() => l.page())));
    expect(got).toEqual(all.map(expected));
  });

  it("reads a page after a cursor the same way", async () => {
    parents = await parentOf();
    const all = lists().filter((l) => l.order);
    const got = [];
    for (const l of all) got.push(verdict(l, await planOf(async () => l.page(await cursorAt(l.order!)))));
    expect(got).toEqual(all.map(expected));
  });

  it("the template revisions' `before` page too", async () => {
    const l = lists().find((l) => l.name === "template revisions")!;
    expect(verdict(l, await planOf(() => listTemplateRevisions(db, { tenantId, templateId, before: N - 200, limit: 50 })))).toEqual(expected(l));
  });
});

// The subscriber list's score bands on ~50,000 subscribers: hot and warm read the partial index of scores of 30 and
// up (subscribers_tenant_score_last_inbound_idx) in list order, which the planner may use only because the bands'
// bounds are literals it can prove its predicate from; a page after a cursor too.
describe.skipIf(!process.env.TEST_DATABASE_URL)("subscriber list by score band (postgres)", () => {
  let t: TestDb;
  let client: postgres.Sql;
  let db: Db;
  const statements: { query: string; params: unknown[] }[] = [];
  let tenantId = "";

  beforeAll(async () => {
    t = await createTestDb("postgres");
    const x = (q: ReturnType<typeof sql>) => t.db.execute(q);
    await x(sql`insert into tenants (name) select 'S' || i from generate_series(1, 2) i`);
    // last messages spread over ~20 days (1 % never wrote), messages 0–19, a third from an ad, half of those with a
    // click id, one in 25 with a conversion: the trigger scores them (about 2 % hot, 15 % warm)
    await x(sql`insert into subscribers (tenant_id, wa_phone, first_seen_at, last_inbound_at, inbound_count, first_touch_source, has_click_id,
        conversions_count, conversions_value)
      select tn.id, '+4915' || lpad(i::text, 9, '0'), now() - interval '60 days',
        case when i % 100 = 0 then null else now() - ((i::bigint * 7919) % 1750000) * interval '1 second' end,
        i % 20, case when i % 3 = 0 then 'ad' end, i % 6 = 0, (i % 25 = 0)::int, case when i % 50 = 0 then 100 else 0 end
      from tenants tn cross join generate_series(1, 25000) i`);
    await x(sql`analyze subscribers`);
    tenantId = rowsOf<{ id: string }>(await x(sql`select id from tenants where name = 'S1'`))[0]!.id;
    client = postgres(t.url!, { max: 1, onnotice: () => {} });
    db = drizzle(client, { schema, logger: { logQuery: (query, params) => statements.push({ query, params }) } }) as unknown as Db;
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await t?.cleanup();
  });

  /**
   * The generic plan of the first statement `run` sends (the dated rows; a full page needs no second): the plan a
   * prepared statement gets for any parameter values once it has run a few times, which can use the partial index
   * only if the score bounds are not parameters.
   */
  const planOf = async (run: () => Promise<unknown>) => {
    statements.length = 0;
    await run();
    const first = statements[0]!;
    await client.unsafe(`prepare band_page as ${first.query}`);
    try {
      await client.unsafe("set plan_cache_mode = force_generic_plan");
      const args = first.params.map((v) => (typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`)).join(", ");
      const rows = await client.unsafe(`explain (format json) execute band_page(${args})`);
      return nodesOf((rows[0] as unknown as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
    } finally {
      await client.unsafe("reset plan_cache_mode");
      await client.unsafe("deallocate band_page");
    }
  };
  const scansOf = (nodes: PlanNode[]) => ({
    scans: nodes.filter((n) => n["Relation Name"] === "subscribers").map((n) => [n["Node Type"], n["Index Name"]]),
    sorts: nodes.filter((n) => n["Node Type"].includes("Sort")).length,
  });
  // the bands as lib/subscribers/lifecycle-score.ts SCORE_BANDS gives them to the query
  const BANDS = { hot: { atLeast: 60 }, warm: { atLeast: 30, below: 60 } };
  const page = (band: keyof typeof BANDS, cursor?: { at: Date | null; id: string }) =>
    listSubscriberPage(db, { tenantId, now: new Date(), sort: "last_inbound", score: BANDS[band], cursor, limit: 50 });

  it("has a spread of bands to read", async () => {
    const bands = rowsOf<{ hot: number; warm: number }>(
      await t.db.execute(sql`select count(*) filter (where lifecycle_score >= 60)::int as hot,
        count(*) filter (where lifecycle_score >= 30 and lifecycle_score < 60)::int as warm from subscribers where tenant_id = ${tenantId}`),
    )[0]!;
    expect(bands.hot).toBeGreaterThan(300);
    expect(bands.warm).toBeGreaterThan(bands.hot);
  });

  it("reads hot and warm first pages, and a page after a cursor, from the partial index in order, even planned generically", async () => {
    const got: Record<string, unknown> = {};
    for (const band of ["hot", "warm"] as const) {
      got[band] = scansOf(await planOf(() => page(band)));
      const [row] = rowsOf<{ at: string | Date; id: string }>(
        await t.db.execute(
          sql`select last_inbound_at as at, id from subscribers where tenant_id = ${tenantId} and lifecycle_score ${sql.raw(
            band === "hot" ? ">= 60" : "between 30 and 59",
          )} and last_inbound_at is not null order by last_inbound_at desc, id desc offset 199 limit 1`,
        ),
      );
      got[`${band}, after a cursor`] = scansOf(await planOf(() => page(band, { at: new Date(row!.at), id: row!.id })));
    }
    const partial = { scans: [["Index Scan", "subscribers_tenant_score_last_inbound_idx"]], sorts: 0 };
    expect(got).toEqual({ hot: partial, "hot, after a cursor": partial, warm: partial, "warm, after a cursor": partial });
  });

  it.each([
    ["few are due", 0],
    ["all are due", 40],
  ])("finds the scores due for a recompute through their index and updates them by key, not by reading the table (%s)", async (_, days) => {
    statements.length = 0;
    await refreshDueScoreBatch(db, { now: new Date(Date.now() + days * 86_400_000), after: null, limit: 5_000 });
    const [first] = statements;
    const rows = await client.unsafe(`explain (format json) ${first!.query}`, first!.params as postgres.ParameterOrJSON<never>[]);
    const nodes = nodesOf((rows[0] as unknown as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
    // an index scan in order, or a bitmap of the due rows (few, as a rule) sorted: either way through the index
    expect(nodes.filter((n) => n["Index Name"] === "subscribers_score_until_idx").map((n) => n["Node Type"])).toEqual([
      expect.stringMatching(/^(Index Scan|Bitmap Index Scan)$/),
    ]);
    expect(nodes.filter((n) => n["Node Type"] === "Seq Scan")).toEqual([]);
  });
});

// A name search on 60,000 subscribers: a common name (1 in 20) fills its page from a walk of the list's own index in
// order (no sort of its matches, however many), a rare one (5 in the tenant) walks at most NAME_WALK_ROWS rows and
// reads the rest through the trigram index, and the page's rows are fetched by id.
describe.skipIf(!process.env.TEST_DATABASE_URL)("subscriber list name search (postgres)", () => {
  let t: TestDb;
  let client: postgres.Sql;
  let db: Db;
  const statements: { query: string; params: unknown[] }[] = [];
  let tenantId = "";

  beforeAll(async () => {
    t = await createTestDb("postgres");
    const x = (q: ReturnType<typeof sql>) => t.db.execute(q);
    await x(sql`insert into tenants (name) select 'N' || i from generate_series(1, 2) i`);
    await x(sql`insert into subscribers (tenant_id, wa_phone, first_seen_at, last_inbound_at, profile_name)
      select tn.id, '+4915' || lpad(i::text, 9, '0'), now() - interval '60 days', now() - ((i::bigint * 7919) % 1750000) * interval '1 second',
        case when i % 20 = 0 then 'Priya ' || i when i % 6000 = 1 then 'Zebedee ' || i else 'Name ' || i end
      from tenants tn cross join generate_series(1, 30000) i`);
    await x(sql`analyze subscribers`);
    tenantId = rowsOf<{ id: string }>(await x(sql`select id from tenants where name = 'N1'`))[0]!.id;
    client = postgres(t.url!, { max: 1, onnotice: () => {} });
    db = drizzle(client, { schema, logger: { logQuery: (query, params) => statements.push({ query, params }) } }) as unknown as Db;
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await t?.cleanup();
  });

  /** Each statement of a search's first page: the indexes it reads, its seq scans of subscribers, the most rows one scan read, the rows its bitmap scans read, its sorts. */
  const plansOf = async (text: string) => {
    statements.length = 0;
    const rows = await listSubscriberPage(db, { tenantId, now: new Date(), sort: "last_inbound", search: { kind: "name", text }, limit: 50 });
    const plans = [];
    for (const s of statements.splice(0)) {
      const [row] = await client.unsafe(`explain (analyze, format json) ${s.query}`, s.params as postgres.ParameterOrJSON<never>[]);
      const nodes = nodesOf((row as unknown as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan) as (PlanNode & {
        "Actual Rows": number;
        "Rows Removed by Filter"?: number;
      })[];
      plans.push({
        indexes: [...new Set(nodes.flatMap((n) => n["Index Name"] ?? []))].sort(),
        seqScans: nodes.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "subscribers").length,
        read: Math.max(...nodes.filter((n) => n["Relation Name"] === "subscribers").map((n) => n["Actual Rows"] + (n["Rows Removed by Filter"] ?? 0))),
        bitmapRead: nodes
          .filter((n) => n["Node Type"] === "Bitmap Heap Scan")
          .reduce((sum, n) => sum + n["Actual Rows"] + (n["Rows Removed by Filter"] ?? 0), 0),
        sorts: nodes.filter((n) => n["Node Type"].includes("Sort")).length,
      });
    }
    return { rows: rows.length, plans };
  };

  it("fills a common name's page from a walk of the list index in order, then fetches the page by id", async () => {
    const { rows, plans } = await plansOf("priya");
    expect(rows).toBe(51);
    expect(plans.map((p) => [p.indexes, p.seqScans])).toEqual([
      [["subscribers_tenant_last_inbound_idx"], 0],
      [["subscribers_pkey"], 0],
    ]);
    expect(plans[0]!.sorts).toBe(0);
    expect(plans[0]!.read).toBeLessThan(51 * 20 * 1.5); // ~1,020 rows walked for 51 matches, not the 1,500 matches
  });

  it("reads a rare name's matches after the walk through the trigram index", async () => {
    const { rows, plans } = await plansOf("zebedee");
    expect(rows).toBe(5);
    expect(plans.map((p) => [p.indexes, p.seqScans])).toEqual([
      [["subscribers_tenant_last_inbound_idx"], 0], // the walk
      [["subscribers_profile_name_trgm_idx", "subscribers_tenant_last_inbound_idx", "subscribers_username_trgm_idx"], 0], // the rest, after the walk's last row
      [["subscribers_pkey"], 0],
    ]);
    expect(plans[0]!.read).toBe(NAME_WALK_ROWS);
    expect(plans[1]!.bitmapRead).toBeLessThan(100); // the 5 matches, not the tenant's rows
  });
});
