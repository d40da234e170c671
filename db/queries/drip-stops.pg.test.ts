// The drip's stop statements on real Postgres, planned with statistics: a reply (the webhook hot path) and a
// conversion find the subscriber's leads' rows through indexes (outbound rows by subscriber, leads by phone,
// outbound rows by lead), never by scanning the tenant's queue, leads or subscribers.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import * as schema from "../schema";
import { createTestDb, type TestDb } from "../testing";
import { cancelPendingDripForConversions, cancelPendingDripOnReply } from "./drip";

type PlanNode = { "Node Type": string; "Index Name"?: string; "Relation Name"?: string; Plans?: PlanNode[] };
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

const N = 20_000; // subscribers and leads of the tenant, three queued rows each
const reason = { code: "test", message: "test" };

describe.skipIf(!process.env.TEST_DATABASE_URL)("drip stop plans (postgres)", () => {
  let t: TestDb;
  let client: postgres.Sql;
  let db: Db; // the same database through a drizzle that records each statement
  const statements: { query: string; params: unknown[] }[] = [];
  let tenantId = "";
  let who: { id: string; waPhone: string | null }[] = [];
  let conversionId = "";

  beforeAll(async () => {
    t = await createTestDb("postgres");
    const x = (q: ReturnType<typeof sql>) => t.db.execute(q);
    await x(sql`insert into tenants (name) values ('A'), ('B')`);
    await x(sql`insert into templates (tenant_id, name, title, content, delay_days, stop_on_reply)
      select tn.id, 'tpl' || i, 'T', 'Hi', i, i <> 2 from tenants tn cross join generate_series(1, 3) i`);
    await x(sql`insert into subscribers (tenant_id, wa_phone, first_seen_at)
      select tn.id, '+7916' || lpad(i::text, 7, '0'), now() from tenants tn cross join generate_series(1, ${N}) i`);
    await x(sql`insert into leads (tenant_id, name, phone, subscriber_id)
      select s.tenant_id, 'L', s.wa_phone, s.id from subscribers s`);
    await x(sql`insert into outbound_messages (tenant_id, lead_id, subscriber_id, phone, template_id, template_name, scheduled_at, status)
      select l.tenant_id, l.id, l.subscriber_id, l.phone, tp.id, tp.name, now() + tp.delay_days * interval '1 day',
        case when right(l.phone, 1)::int % 5 = 0 then 'sent' else 'pending' end
      from leads l join templates tp on tp.tenant_id = l.tenant_id`);
    tenantId = rowsOf<{ id: string }>(await x(sql`select id from tenants where name = 'A'`))[0]!.id;
    const picked = rowsOf<{ id: string; wa_phone: string }>(
      await x(sql`select id, wa_phone from subscribers where tenant_id = ${tenantId} order by wa_phone limit 3`),
    );
    who = picked.map((s) => ({ id: s.id, waPhone: s.wa_phone })); // …0001 to …0003: their rows are pending (a fifth of the others were sent)
    await x(sql`insert into conversions (tenant_id, event_id, event_name, event_time, request_hash, subscriber_id)
      select s.tenant_id, 'ev-' || s.id, 'Purchase', now(), 'h', s.id from subscribers s where s.tenant_id = ${tenantId} and s.wa_phone like '+79160000%'`);
    conversionId = rowsOf<{ id: string }>(await x(sql`select id from conversions where subscriber_id = ${picked[0]!.id}`))[0]!.id;
    await x(sql`analyze`);
    client = postgres(t.url!, { max: 1, onnotice: () => {} });
    db = drizzle(client, { schema, logger: { logQuery: (query, params) => statements.push({ query, params }) } }) as unknown as Db;
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await t?.cleanup();
  });

  /** The plan of the last statement `run` sends (run in a transaction rolled back, so the rows stay). */
  const planOf = async (run: (tx: Db) => Promise<unknown>) => {
    statements.length = 0;
    await db
      .transaction(async (tx) => {
        await run(tx);
        throw new Error("rollback");
      })
      .catch((e: unknown) => {
        if (!(e instanceof Error) || e.message !== "rollback") throw e;
      });
    const last = statements.filter((s) => /^\s*update/i.test(s.query)).at(-1)!;
    const rows = await client.unsafe(`explain (format json) ${last.query}`, last.params as postgres.ParameterOrJSON<never>[]);
    return nodesOf((rows[0] as unknown as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
  };
  const scans = (nodes: PlanNode[]) => nodes.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]);
  const indexes = (nodes: PlanNode[]) => new Set(nodes.flatMap((n) => (n["Index Name"] ? [n["Index Name"]] : [])));

  it("a reply cancels the stop-on-reply rows of the repliers' leads, read through indexes", async () => {
    let cancelled = 0;
    const nodes = await planOf(async (tx) => {
      cancelled = (await cancelPendingDripOnReply(tx, { tenantId, subscribers: who, now: new Date(), reason })).cancelled;
    });
    expect(cancelled).toBeGreaterThan(0);
    expect(scans(nodes).filter((r) => r !== "templates")).toEqual([]); // three templates: a scan of them is fine
    const used = indexes(nodes);
    expect(used.has("outbound_messages_subscriber_idx")).toBe(true);
    expect(used.has("leads_tenant_phone_idx")).toBe(true);
  });

  it("a stop-event conversion cancels its subscriber's leads' rows, read through indexes", async () => {
    let cancelled = 0;
    const nodes = await planOf(async (tx) => {
      cancelled = (await cancelPendingDripForConversions(tx, { tenantId, conversionIds: [conversionId], now: new Date(), reason })).cancelled;
    });
    expect(cancelled).toBeGreaterThan(0);
    expect(scans(nodes).filter((r) => r !== "tenants")).toEqual([]);
    const used = indexes(nodes);
    expect(used.has("outbound_messages_subscriber_idx")).toBe(true);
    expect(used.has("leads_tenant_phone_idx")).toBe(true);
  });
});
