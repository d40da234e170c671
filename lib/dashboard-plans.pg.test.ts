// The dashboard's statements on real Postgres, planned with statistics: with many workspaces and half a year of
// conversations and conversions, each statement reads its workspace's range through a (tenant_id, time) index,
// never a scan of conversations or conversions; and the whole report of 90 days stays quick.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/migrations-info";
import * as schema from "@/db/schema";
import { createTestDb, type TestDb } from "@/db/testing";
import { getDashboardReport, resolveDashboardRange } from "./dashboard";

type PlanNode = { "Node Type": string; "Index Name"?: string; "Relation Name"?: string; Plans?: PlanNode[] };
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

const TENANTS = 10;
const CONVERSATIONS = 30_000; // per workspace, over 180 days
const CONVERSIONS = 6_000; // per workspace

describe.skipIf(!process.env.TEST_DATABASE_URL)("dashboard plans (postgres)", () => {
  let t: TestDb;
  let client: postgres.Sql;
  let db: Db; // the same database through a drizzle that records each statement
  const statements: { query: string; params: unknown[] }[] = [];
  let tenantId = "";
  const now = new Date();

  beforeAll(async () => {
    t = await createTestDb("postgres");
    const x = (q: ReturnType<typeof sql>) => t.db.execute(q);
    await x(sql`insert into tenants (name) select 'T' || i from generate_series(1, ${TENANTS}) i`);
    await x(sql`insert into subscribers (tenant_id, wa_phone, first_seen_at)
      select tn.id, '+4915' || lpad(i::text, 9, '0'), now() from tenants tn cross join generate_series(1, 200) i`);
    await x(sql`insert into ads (tenant_id, ad_id, ad_name, campaign_id, campaign_name, status)
      select tn.id, 'ad' || i, 'Ad ' || i, 'c' || (i % 5), 'Campaign ' || (i % 5), 'enriched' from tenants tn cross join generate_series(1, 40) i`);
    await x(sql`insert into conversations (tenant_id, subscriber_id, started_at, last_message_at, window_expires_at, source_type, ad_id)
      select s.tenant_id, s.id, now() - ((i * 104729 + abs(hashtext(s.wa_phone))) % 15552000) * interval '1 second', now(), now(),
        case when i % 3 = 0 then 'ad' when i % 7 = 0 then 'post' end, case when i % 3 = 0 then 'ad' || (i % 40 + 1) end
      from subscribers s cross join generate_series(1, ${CONVERSATIONS} / 200) i`);
    await x(sql`insert into conversions (tenant_id, conversation_id, event_id, event_name, event_time, request_hash, status, value, currency, created_at)
      select c.tenant_id, c.id, c.id::text, 'Purchase', c.started_at, 'h', case when n % 10 = 0 then 'failed' else 'sent' end, 100 + n % 900,
        case when n % 4 = 0 then 'USD' else 'RUB' end, c.started_at + interval '1 hour'
      from (select c.*, row_number() over (partition by c.tenant_id order by c.id) as n from conversations c) c
      where n <= ${CONVERSIONS}`);
    await x(sql`vacuum analyze`); // as autovacuum leaves a table: the visibility map lets index-only scans count
    tenantId = rowsOf<{ id: string }>(await x(sql`select id from tenants order by name limit 1`))[0]!.id;
    client = postgres(t.url!, { max: 1, onnotice: () => {} });
    db = drizzle(client, { schema, logger: { logQuery: (query, params) => statements.push({ query, params }) } }) as unknown as Db;
  }, 180_000);
  afterAll(async () => {
    await client?.end();
    await t?.cleanup();
  });

  it("reads a week of a workspace by its (tenant, time) indexes, never scanning conversations or conversions", async () => {
    statements.length = 0;
    await getDashboardReport(db, { tenantId, range: resolveDashboardRange({ days: 7 }, now) });
    expect(statements.length).toBe(4);
    for (const s of statements) {
      const rows = await client.unsafe(`explain (format json) ${s.query}`, s.params as postgres.ParameterOrJSON<never>[]);
      const nodes = nodesOf((rows[0] as unknown as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
      const plan = nodes.map((n) => `${n["Node Type"]} ${n["Relation Name"] ?? ""} ${n["Index Name"] ?? ""}`).join("\n");
      const tables = nodes.filter((n) => n["Relation Name"] === "conversations" || n["Relation Name"] === "conversions");
      expect(tables.length, s.query).toBeGreaterThan(0);
      for (const n of tables) expect(n["Node Type"], `${s.query}\n${plan}`).not.toBe("Seq Scan");
      // every index read is a tenant's range (or a conversation by its key); a bitmap heap scan names none itself
      const indexes = nodes.flatMap((n) => (n["Index Name"] ? [n["Index Name"]] : []));
      expect(indexes.length, plan).toBeGreaterThan(0);
      for (const name of indexes)
        expect(name, plan).toMatch(
          /^(conversations_tenant_started_report_idx|conversations_tenant_ad_started_idx|conversations_pkey|conversions_tenant_created_idx|ads_tenant_ad_key)$/,
        );
    }
  });

  it("gives the 90-day report of a busy workspace in well under a second", async () => {
    const range = resolveDashboardRange({ days: 90 }, now);
    await getDashboardReport(t.db, { tenantId, range }); // warm
    const started = performance.now();
    const report = await getDashboardReport(t.db, { tenantId, range });
    expect(performance.now() - started).toBeLessThan(500);
    expect(report.conversations.current).toBeGreaterThan(10_000);
    expect(report.top.campaignsByConversations).toHaveLength(5);
  });
});
