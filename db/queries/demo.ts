// The demo data's rows: every row the demo loader writes carries `demo`, so they can be counted and removed
// without touching real rows (a partial index per large table keeps both to the demo rows themselves).
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { rebuildChats } from "./chats";
import { ads, conversations, conversions, leads, messages, outboundMessages, subscribers, templates, webhookEvents, whatsappNumbers } from "../schema";

/** The tables the demo writes, in the order they are removed (what a later check looks at goes first). */
const DEMO_TABLES = {
  conversions,
  outboundMessages,
  leads,
  messages,
  conversations,
  subscribers,
  ads,
  templates,
  webhookEvents,
  numbers: whatsappNumbers,
} as const;

export type DemoTable = keyof typeof DEMO_TABLES;
export type DemoCounts = Record<DemoTable, number>;

/** How many rows of each table the demo writes the workspace holds: its demo rows only (the partial indexes), or all. */
export async function countDemoTableRows(db: Db, tenantId: string, { demoOnly }: { demoOnly: boolean }): Promise<DemoCounts> {
  const parts = Object.entries(DEMO_TABLES).map(
    ([key, table]) => sql`select ${key}::text as k, count(*)::int as n from ${table} where tenant_id = ${tenantId}${demoOnly ? sql` and demo` : sql``}`,
  );
  const rows = rowsOf<{ k: DemoTable; n: number }>(await db.execute(sql.join(parts, sql` union all `)));
  return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)])) as DemoCounts;
}

export const countDemoRows = (db: Db, tenantId: string) => countDemoTableRows(db, tenantId, { demoOnly: true });

// A demo row that real activity came to depend on stays: a subscriber with real messages or conversations,
// an ad a real conversation came from, a template real leads' waiting messages still use.
const KEEP: Partial<Record<DemoTable, SQL>> = {
  subscribers: sql`and not exists (select 1 from messages m where m.subscriber_id = subscribers.id)
    and not exists (select 1 from conversations c where c.subscriber_id = subscribers.id)`,
  ads: sql`and not exists (select 1 from conversations c where c.tenant_id = ads.tenant_id and c.ad_id = ads.ad_id)`,
  templates: sql`and not exists (select 1 from outbound_messages o where o.template_id = templates.id and o.status in ('pending', 'sending'))`,
};

/**
 * Deletes the workspace's demo rows, table by table in DEMO_TABLES order (call it in a transaction). Real
 * rows that point at a deleted one lose only that link (the foreign keys set it null); a demo lead's queue
 * goes with it. Demo rows real activity depends on (KEEP) are left for keepDemoLeftovers.
 */
export async function deleteDemoRows(db: Db, tenantId: string): Promise<DemoCounts> {
  const removed = {} as DemoCounts;
  // the inbox rows of demo chats (derived rows, not counted); a kept subscriber's chats are rebuilt by keepDemoLeftovers
  await db.execute(sql`delete from chats where tenant_id = ${tenantId} and demo`);
  for (const [key, table] of Object.entries(DEMO_TABLES) as [DemoTable, (typeof DEMO_TABLES)[DemoTable]][]) {
    const rows = rowsOf<{ n: number }>(
      await db.execute(
        sql`with d as (delete from ${table} where tenant_id = ${tenantId} and demo ${KEEP[key] ?? sql``} returning 1) select count(*)::int as n from d`,
      ),
    );
    removed[key] = Number(rows[0]?.n ?? 0);
  }
  return removed;
}

/**
 * The demo rows deleteDemoRows kept become real. A kept subscriber's counters, window and touches are rebuilt
 * from what is left (its real messages and conversations, as ingestion counts them), and so are its chats; its status, opt-out and
 * profile stay as they are, so an opt-out is never lost.
 */
export async function keepDemoLeftovers(
  db: Db,
  { tenantId, now }: { tenantId: string; now: Date },
): Promise<{ subscribers: number; ads: number; templates: number }> {
  const at = now.toISOString();
  const kept = rowsOf<{ id: string }>(
    await db.execute(sql`
      update ${subscribers} s set demo = false, updated_at = ${at}::timestamptz,
        inbound_count = (select count(*) from messages m where m.subscriber_id = s.id and m.direction = 'inbound' and m.type <> 'system'),
        outbound_count = (select count(*) from messages m where m.subscriber_id = s.id and m.direction = 'outbound'),
        first_seen_at = coalesce(least((select min(m.provider_timestamp) from messages m where m.subscriber_id = s.id),
          (select min(c.started_at) from conversations c where c.subscriber_id = s.id)), s.first_seen_at),
        last_inbound_at = (select max(m.provider_timestamp) from messages m where m.subscriber_id = s.id and m.direction = 'inbound' and m.type <> 'system'),
        last_outbound_at = o.provider_timestamp, last_outbound_message_id = o.wamid,
        conversation_id = l.id, conversation_expires_at = l.window_expires_at,
        first_touch_conversation_id = f.id, first_touch_source = f.source_type, first_touch_ad_id = f.ad_id, first_touch_campaign_id = f.campaign_id,
        last_touch_conversation_id = (select c.id from conversations c where c.subscriber_id = s.id and c.source_type is not null order by c.started_at desc, c.id desc limit 1),
        has_click_id = exists (select 1 from conversations c where c.subscriber_id = s.id and c.ctwa_clid is not null)
      from ${subscribers} s2
        left join lateral (select m.provider_timestamp, m.wamid from messages m where m.subscriber_id = s2.id and m.direction = 'outbound' order by m.provider_timestamp desc limit 1) o on true
        left join lateral (select c.id, c.window_expires_at from conversations c where c.subscriber_id = s2.id order by c.started_at desc, c.id desc limit 1) l on true
        left join lateral (select c.id, c.source_type, c.ad_id, c.campaign_id from conversations c where c.subscriber_id = s2.id and c.source_type is not null order by c.started_at, c.id limit 1) f on true
      where s.id = s2.id and s.tenant_id = ${tenantId} and s.demo
      returning s.id`),
  );
  await rebuildChats(db, { tenantId, subscriberIds: kept.map((k) => k.id) });
  const unflag = async (table: typeof ads | typeof templates) =>
    rowsOf<{ id: string }>(
      await db.execute(sql`update ${table} set demo = false, updated_at = ${at}::timestamptz where tenant_id = ${tenantId} and demo returning id`),
    ).length;
  return { subscribers: kept.length, ads: await unflag(ads), templates: await unflag(templates) };
}
