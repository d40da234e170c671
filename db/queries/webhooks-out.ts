// Outgoing webhooks (issue 22): events and their deliveries. Emission is one statement per batch (events and the
// deliveries to every enabled endpoint subscribed to their type; nothing at all without such an endpoint), and
// idempotent through the events' source key and the deliveries' (endpoint, event) key. Delivery claims only the
// head of each (endpoint, order key) queue, with a lease; outcomes are written in groups.
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { outboundMessages, outgoingEvents, webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from "../schema";
import { toRecordsetJson } from "./messages";

export type OutgoingEventType = (typeof outgoingEvents.$inferSelect)["type"];

/** One event to emit: `sourceKey` makes emitting it again a no-op (per tenant and type). */
export type EmitRow = { type: OutgoingEventType; sourceKey: string; subscriberId: string | null; data: Record<string, unknown>; occurredAt: Date };

/**
 * Stores the events that an enabled endpoint of the tenant subscribes to, and one delivery per such endpoint (`*`: every type) and
 * event, in one statement. Replayed events (same tenant, type and source key) write nothing. Deliveries get their
 * `seq` in the rows' order, which is the order a subscriber's events are delivered in. Returns the deliveries written.
 */
export async function insertOutgoingEvents(db: Db, tenantId: string, rows: readonly EmitRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const json = toRecordsetJson(
    rows.map((r, ord) => ({
      ord,
      type: r.type,
      source_key: r.sourceKey,
      subscriber_id: r.subscriberId,
      data: r.data,
      occurred_at: r.occurredAt.toISOString(),
    })),
  );
  const result = rowsOf<{ n: number }>(
    await db.execute(sql`
      with v as (
        select * from jsonb_to_recordset(${json}::jsonb)
          as x(ord int, type text, source_key text, subscriber_id uuid, data jsonb, occurred_at timestamptz)
      ),
      ep as materialized (
        select id, event_types from ${webhookEndpoints} where tenant_id = ${tenantId}::uuid and enabled
      ),
      ev as (
        insert into ${outgoingEvents} (tenant_id, type, source_key, subscriber_id, data, occurred_at)
        select ${tenantId}::uuid, v.type, v.source_key, v.subscriber_id, v.data, v.occurred_at from v
          where exists (select 1 from ep where v.type = any(ep.event_types) or '*' = any(ep.event_types))
          order by v.ord
        on conflict (tenant_id, type, source_key) do nothing
        returning id, type, source_key, subscriber_id
      ),
      d as (
        insert into ${webhookDeliveries} (tenant_id, endpoint_id, event_id, order_key)
        select ${tenantId}::uuid, ep.id, ev.id, coalesce(ev.subscriber_id::text, ev.id::text)
          from ev join v on v.type = ev.type and v.source_key = ev.source_key
          join ep on ev.type = any(ep.event_types) or '*' = any(ep.event_types)
          order by v.ord, ep.id
        on conflict (endpoint_id, event_id) do nothing
        returning 1
      )
      select count(*)::int as n from d`),
  );
  return Number(result[0]?.n ?? 0);
}

/** A claimed delivery with what its POST needs (the endpoint's sealed secrets, the event's body parts). */
export type ClaimedDelivery = {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  orderKey: string;
  attempts: number;
  leaseOwner: string;
  leaseExpiresAt: Date;
  type: OutgoingEventType;
  data: Record<string, unknown>;
  createdAt: Date;
  url: string;
  secretEnc: string;
  previousSecretEnc: string | null;
  previousSecretExpiresAt: Date | null;
};

const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const asDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : asDate(v));

/**
 * Claims due deliveries of enabled endpoints, only the head of each (endpoint, order key) queue: a delivery waits
 * while an earlier one of its key is pending or delivering (a failed or succeeded one does not block). A
 * `delivering` row whose lease ran out (a stopped run) is claimed again. `FOR UPDATE SKIP LOCKED` lets several
 * loops claim side by side without ever taking the same row; each claim counts an attempt and names its owner.
 */
export async function claimDueDeliveries(
  db: Db,
  { now, limit, leaseMs, owner }: { now: Date; limit: number; leaseMs: number; owner: string },
): Promise<ClaimedDelivery[]> {
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  // due: the earliest due rows straight off the due index (a bounded window, so the planner never walks the backlog);
  // heads: those that head their queue (one probe of the open-order index each; the successors of a retrying
  // delivery are pushed back with it, so they are not due meanwhile); c: rechecked under the row lock, so a run that
  // claimed or finished a row meanwhile wins
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      with due as materialized (
        (select d.id, d.endpoint_id, d.order_key, d.seq, d.next_attempt_at from ${webhookDeliveries} d
          where d.status = 'pending' and d.next_attempt_at <= ${nowIso}::timestamptz
          order by d.next_attempt_at, d.seq
          limit ${limit * 4})
        union all
        (select d.id, d.endpoint_id, d.order_key, d.seq, d.next_attempt_at from ${webhookDeliveries} d
          where d.status = 'delivering' and d.lease_expires_at < ${nowIso}::timestamptz
          order by d.lease_expires_at
          limit ${limit})
      ),
      heads as materialized (
        select due.id from due
          where due.seq = (
              select min(p.seq) from ${webhookDeliveries} p
                where p.endpoint_id = due.endpoint_id and p.order_key = due.order_key and p.status in ('pending', 'delivering'))
            and exists (select 1 from ${webhookEndpoints} e where e.id = due.endpoint_id and e.enabled)
          order by due.next_attempt_at, due.seq
          limit ${limit}
      ),
      c as (
        select d.id from ${webhookDeliveries} d
          where d.id in (select id from heads)
            and ((d.status = 'pending' and d.next_attempt_at <= ${nowIso}::timestamptz)
              or (d.status = 'delivering' and d.lease_expires_at < ${nowIso}::timestamptz))
          for update skip locked
      ),
      u as (
        update ${webhookDeliveries} w set status = 'delivering', attempts = w.attempts + 1, lease_owner = ${owner}::uuid,
            lease_expires_at = ${until}::timestamptz, updated_at = ${nowIso}::timestamptz
          where w.id in (select id from c)
          returning w.id, w.tenant_id, w.endpoint_id, w.event_id, w.order_key, w.seq, w.attempts, w.lease_owner, w.lease_expires_at
      )
      select u.id, u.tenant_id, u.endpoint_id, u.event_id, u.order_key, u.attempts, u.lease_owner, u.lease_expires_at,
          ev.type, ev.data, ev.created_at, e.url, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at
        from u join ${outgoingEvents} ev on ev.id = u.event_id join ${webhookEndpoints} e on e.id = u.endpoint_id
        order by u.seq`),
  );
  return rows.map((r) => ({
    id: String(r.id),
    tenantId: String(r.tenant_id),
    endpointId: String(r.endpoint_id),
    eventId: String(r.event_id),
    orderKey: String(r.order_key),
    attempts: Number(r.attempts),
    leaseOwner: String(r.lease_owner),
    leaseExpiresAt: asDate(r.lease_expires_at),
    type: r.type as OutgoingEventType,
    data: (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
    createdAt: asDate(r.created_at),
    url: String(r.url),
    secretEnc: String(r.secret_enc),
    previousSecretEnc: (r.previous_secret_enc as string | null) ?? null,
    previousSecretExpiresAt: asDateOrNull(r.previous_secret_expires_at),
  }));
}

/** What one attempt of a claimed delivery came to. `status`: the delivery's new status. */
export type DeliveryOutcome = {
  id: string;
  tenantId: string;
  endpointId: string;
  owner: string;
  attempts: number;
  attemptedAt: Date;
  finishedAt: Date;
  latencyMs: number;
  statusCode: number | null;
  snippet: string | null;
  error: string | null;
  status: "succeeded" | "pending" | "failed";
  /** when status is pending: the next try */
  nextAttemptAt: Date | null;
  /** failed because its retries ran out (a retryable failure): revived when its endpoint is switched off meanwhile */
  gaveUp?: boolean;
};

/**
 * Writes outcomes in one statement: each attempt row (always: the request was made), each delivery's new state
 * (only while the run still owns the claim: a delivery taken over by another run is left to it). Returns, in the
 * outcomes' order, whether each delivery was updated.
 */
export async function finishDeliveries(db: Db, outcomes: readonly DeliveryOutcome[]): Promise<boolean[]> {
  if (outcomes.length === 0) return [];
  const json = toRecordsetJson(
    outcomes.map((o) => ({
      id: o.id,
      tenant_id: o.tenantId,
      endpoint_id: o.endpointId,
      owner: o.owner,
      attempts: o.attempts,
      attempted_at: o.attemptedAt.toISOString(),
      finished_at: o.finishedAt.toISOString(),
      latency_ms: Math.max(0, Math.round(o.latencyMs)),
      status_code: o.statusCode,
      snippet: o.snippet,
      error: o.error,
      status: o.status,
      next_attempt_at: o.nextAttemptAt?.toISOString() ?? null,
    })),
  );
  // later: the deliveries waiting behind one that will be retried wait until then too (keeps them off the due scan)
  const updated = rowsOf<{ id: string }>(
    await db.execute(sql`
      with v as (
        select * from jsonb_to_recordset(${json}::jsonb) as x(id uuid, tenant_id uuid, endpoint_id uuid, owner uuid, attempts int,
          attempted_at timestamptz, finished_at timestamptz, latency_ms int, status_code int, snippet text, error text, status text, next_attempt_at timestamptz)
      ),
      a as (
        insert into ${webhookDeliveryAttempts} (tenant_id, delivery_id, endpoint_id, attempted_at, status_code, latency_ms, response_snippet, error)
        select tenant_id, id, endpoint_id, attempted_at, status_code, latency_ms, snippet, error from v
      ),
      later as (
        update ${webhookDeliveries} s set next_attempt_at = r.next_attempt_at
          from (select w.endpoint_id, w.order_key, w.seq, v.next_attempt_at from v join ${webhookDeliveries} w on w.id = v.id
                  where v.status = 'pending' and w.lease_owner = v.owner and w.attempts = v.attempts) r
          where s.endpoint_id = r.endpoint_id and s.order_key = r.order_key and s.seq > r.seq and s.status = 'pending'
            and s.next_attempt_at < r.next_attempt_at
      )
      update ${webhookDeliveries} d set status = v.status,
          next_attempt_at = coalesce(v.next_attempt_at, d.next_attempt_at),
          lease_owner = null, lease_expires_at = null,
          last_attempt_at = v.attempted_at, last_status_code = v.status_code, last_error = v.error,
          delivered_at = case when v.status = 'succeeded' then v.finished_at else d.delivered_at end,
          updated_at = v.finished_at
        from v
        where d.id = any(array(select id from v)) and d.id = v.id
          and d.status = 'delivering' and d.lease_owner = v.owner and d.attempts = v.attempts
        returning d.id`),
  );
  const ids = new Set(updated.map((r) => r.id));
  return outcomes.map((o) => ids.has(o.id));
}

/** One endpoint's attempts of a group: whether the streak ends (`succeededAt`) and the first failure after it. */
export type EndpointHealth = { endpointId: string; lastSuccessAt: Date | null; failingFrom: Date | null; lastError: string | null };

/**
 * Tracks each endpoint's failing streak: a success clears `failing_since` (unless a later failure starts a new
 * one), a failure sets it when unset. An endpoint whose streak is `disableAfterMs` old is switched off with the
 * reason (when it started failing and the last error); its pending deliveries wait. Returns the endpoints switched off.
 */
export async function updateEndpointHealth(
  db: Db,
  {
    rows,
    now,
    disableAfterMs,
    reason,
  }: { rows: readonly EndpointHealth[]; now: Date; disableAfterMs: number; reason: (failingSince: Date, lastError: string) => string },
): Promise<{ id: string; tenantId: string; failingSince: Date; reason: string }[]> {
  if (rows.length === 0) return [];
  const json = toRecordsetJson(
    rows.map((r) => ({
      id: r.endpointId,
      cleared: r.lastSuccessAt !== null,
      failing_from: r.failingFrom?.toISOString() ?? null,
    })),
  );
  await db.execute(sql`
      with v as (select * from jsonb_to_recordset(${json}::jsonb) as x(id uuid, cleared boolean, failing_from timestamptz))
      update ${webhookEndpoints} e set
          failing_since = case when v.cleared then v.failing_from else coalesce(e.failing_since, v.failing_from) end
        from v
        where e.id = v.id
          and e.failing_since is distinct from (case when v.cleared then v.failing_from else coalesce(e.failing_since, v.failing_from) end)`);
  // a streak already under way (unchanged above) is checked too
  const candidates = rowsOf<{ id: string; tenant_id: string; failing_since: unknown }>(
    await db.execute(sql`
      select id, tenant_id, failing_since from ${webhookEndpoints}
        where id = any(${`{${rows.map((r) => r.endpointId).join(",")}}`}::uuid[]) and enabled
          and failing_since is not null and failing_since <= ${new Date(now.getTime() - disableAfterMs).toISOString()}::timestamptz`),
  );
  const off: { id: string; tenantId: string; failingSince: Date; reason: string }[] = [];
  for (const c of candidates) {
    const row = rows.find((r) => r.endpointId === c.id)!;
    const failingSince = asDate(c.failing_since);
    const why = reason(failingSince, row.lastError ?? "unknown error");
    const done = await db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledAt: now, disabledReason: why, updatedAt: now })
      .where(sql`${webhookEndpoints.id} = ${c.id}::uuid and ${webhookEndpoints.enabled} and ${webhookEndpoints.failingSince} is not null`)
      .returning({ id: webhookEndpoints.id });
    if (done.length > 0) off.push({ id: c.id, tenantId: c.tenant_id, failingSince, reason: why });
  }
  return off;
}

/**
 * Deliveries that ran out of retries in the same group that switched their endpoint off go back to pending: they
 * wait for the endpoint with the others instead of being lost at the moment it is switched off.
 */
export async function reviveDeliveries(db: Db, { ids, now }: { ids: readonly string[]; now: Date }): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: now, updatedAt: now })
    .where(sql`${webhookDeliveries.id} = any(${`{${ids.join(",")}}`}::uuid[]) and ${webhookDeliveries.status} = 'failed'`)
    .returning({ id: webhookDeliveries.id });
  return rows.length;
}

/** When the next delivery that heads its queue falls due (null: none pending), to sleep until then. */
export async function nextDeliveryDueAt(db: Db): Promise<Date | null> {
  const rows = rowsOf<{ at: unknown }>(
    await db.execute(sql`
      select min(d.next_attempt_at) as at from ${webhookDeliveries} d
        join ${webhookEndpoints} e on e.id = d.endpoint_id and e.enabled
        where d.status = 'pending'`),
  );
  return asDateOrNull(rows[0]?.at ?? null);
}

/**
 * outbound.failed for drip rows that failed (their ids; rows not failed are skipped), any tenants, in one statement:
 * only for tenants with an enabled endpoint listening to it; one event per failed attempt (source key: row and attempt).
 */
export async function insertDripFailedEvents(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = rowsOf<{ n: number }>(
    await db.execute(sql`
      with src as materialized (
        select o.id, o.tenant_id, o.subscriber_id, o.attempts, o.updated_at,
            jsonb_build_object('kind', 'drip', 'outboundId', o.id, 'leadId', o.lead_id, 'subscriberId', o.subscriber_id, 'phone', o.phone,
              'templateName', o.template_name, 'numberId', o.number_id, 'code', o.error_code, 'message', o.error_message, 'failedAt', o.updated_at) as data
          from ${outboundMessages} o
          where o.id = any(${`{${ids.join(",")}}`}::uuid[]) and o.status = 'failed'
      ),
      ep as materialized (
        select id, tenant_id from ${webhookEndpoints}
          where enabled and tenant_id in (select tenant_id from src) and ('outbound.failed' = any(event_types) or '*' = any(event_types))
      ),
      ev as (
        insert into ${outgoingEvents} (tenant_id, type, source_key, subscriber_id, data, occurred_at)
        select src.tenant_id, 'outbound.failed', 'drip:' || src.id || ':' || src.attempts, src.subscriber_id, src.data, src.updated_at from src
          where exists (select 1 from ep where ep.tenant_id = src.tenant_id)
          order by src.updated_at
        on conflict (tenant_id, type, source_key) do nothing
        returning id, tenant_id, subscriber_id
      ),
      d as (
        insert into ${webhookDeliveries} (tenant_id, endpoint_id, event_id, order_key)
        select ev.tenant_id, ep.id, ev.id, coalesce(ev.subscriber_id::text, ev.id::text) from ev join ep on ep.tenant_id = ev.tenant_id
        on conflict (endpoint_id, event_id) do nothing
        returning 1
      )
      select count(*)::int as n from d`),
  );
  return Number(rows[0]?.n ?? 0);
}
