import { sql } from "drizzle-orm";
import { rowsOf } from "../migrations-info";
import type { Db } from "../client";
import { conversations, conversions, outboundMessages, subscribers, whatsappNumbers } from "../schema";

export type DashboardCounts = {
  numbers: number;
  activeNumbers: number;
  subscribers: number;
  conversations7d: number;
  adConversations7d: number;
  queuePending: number;
  queueFailed: number;
  conversionsSent: number;
  conversionsFailed: number;
};

// raw sql params are not mapped by column type: pass timestamps as ISO strings (postgres.js
// refuses a Date there; PGlite would accept it, which is why both drivers run the tests)
/** All dashboard counts in one round trip; each sub-select uses a (tenant_id, …) index. */
export async function getDashboardCounts(db: Db, { tenantId, since }: { tenantId: string; since: Date }): Promise<DashboardCounts> {
  const [row] = rowsOf<Record<keyof DashboardCounts, number | string>>(
    await db.execute(sql`
      select
        (select count(*) from ${whatsappNumbers} where ${whatsappNumbers.tenantId} = ${tenantId}) as "numbers",
        (select count(*) from ${whatsappNumbers} where ${whatsappNumbers.tenantId} = ${tenantId} and ${whatsappNumbers.active}) as "activeNumbers",
        (select count(*) from ${subscribers} where ${subscribers.tenantId} = ${tenantId}) as "subscribers",
        c.total as "conversations7d",
        c.ad as "adConversations7d",
        (select count(*) from ${outboundMessages} where ${outboundMessages.tenantId} = ${tenantId} and ${outboundMessages.status} = 'pending') as "queuePending",
        (select count(*) from ${outboundMessages} where ${outboundMessages.tenantId} = ${tenantId} and ${outboundMessages.status} = 'failed') as "queueFailed",
        (select count(*) from ${conversions} where ${conversions.tenantId} = ${tenantId} and ${conversions.status} = 'sent') as "conversionsSent",
        (select count(*) from ${conversions} where ${conversions.tenantId} = ${tenantId} and ${conversions.status} in ('failed', 'rejected')) as "conversionsFailed"
      from (
        select count(*) as total, count(*) filter (where ${conversations.sourceType} = 'ad') as ad
        from ${conversations}
        where ${conversations.tenantId} = ${tenantId} and ${conversations.startedAt} >= ${since.toISOString()}
      ) c
    `),
  );
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)])) as DashboardCounts;
}

export type DailyConversations = { day: string; ad: number; organic: number };

/** Conversations started per day (UTC) for the last `days` days, split ad vs everything else. */
export async function getDailyConversations(db: Db, { tenantId, since }: { tenantId: string; since: Date }) {
  return rowsOf<{ day: string; ad: number | string; organic: number | string }>(
    await db.execute(sql`
      select to_char(date_trunc('day', ${conversations.startedAt} at time zone 'UTC'), 'YYYY-MM-DD') as day,
             count(*) filter (where ${conversations.sourceType} = 'ad') as ad,
             count(*) filter (where ${conversations.sourceType} is distinct from 'ad') as organic
      from ${conversations}
      where ${conversations.tenantId} = ${tenantId} and ${conversations.startedAt} >= ${since.toISOString()}
      group by 1 order by 1
    `),
  ).map((r) => ({ day: r.day, ad: Number(r.ad), organic: Number(r.organic) }));
}
