// Outgoing webhooks (issue 22): events and their deliveries. Emission is one statement per batch (events and the
// deliveries to every enabled endpoint subscribed to their type; nothing at all without such an endpoint), and
// idempotent through the events' source key and the deliveries' (endpoint, event) key. Delivery claims only the
// head of each (endpoint, order key) queue, with a lease; outcomes are written in groups.
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { rowsOf } from "../migrations-info";
import { leads, outboundMessages, outgoingEvents, webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from "../schema";
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
  /** place in its claimed run of one queue (0: the head; the others are posted after it, in order) */
  chainPos: number;
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
 * Claims due deliveries of enabled endpoints, queue heads only: a delivery waits while an earlier one of its
 * (endpoint, order key) queue is pending or delivering (a failed or succeeded one does not block). A `delivering`
 * row whose lease ran out (a stopped run) is claimed again. With `chain` > 1, each claimed head brings up to
 * `chain - 1` of the next deliveries of its queue (due, in order, with no gap), so the loop posts a queue's
 * deliveries one after the other without a claim in between. `FOR UPDATE SKIP LOCKED` lets several loops claim side
 * by side without ever taking the same row, and a chain is kept only as the unbroken run from its head that this
 * claim locked. Each claimed row counts an attempt and names its owner. Rows come in queue order: `chainPos` 0 is
 * the head. `expired: false` leaves out the search for rows whose lease ran out (a stopped run's; the loop looks
 * for them now and then, not on every claim).
 */
export async function claimDueDeliveries(
  db: Db,
  { now, limit, leaseMs, owner, chain = 1, expired = true }: { now: Date; limit: number; leaseMs: number; owner: string; chain?: number; expired?: boolean },
): Promise<ClaimedDelivery[]> {
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  // due: the earliest due rows straight off the due index (a bounded window, so the planner never walks the backlog);
  // heads: those that head their queue (one probe of the open-order index each; the successors of a retrying
  // delivery are pushed back with it, so they are not due meanwhile); links: each head and the next rows of its
  // queue off the same index while they are claimable; c: each locked by its key alone and rechecked on the locked
  // version (a CASE, which implies no partial index's predicate: the lookup is by primary key whatever the statistics
  // say; with statistics taken while no delivery was open, the planner scanned the whole open-order index per row),
  // so a run that claimed or finished a row meanwhile wins; kept: the unbroken run from each head among the rows this claim locked
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      with due as materialized (
        (select d.id, d.endpoint_id, d.order_key, d.seq, d.next_attempt_at from ${webhookDeliveries} d
          where d.status = 'pending' and d.next_attempt_at <= ${nowIso}::timestamptz
          order by d.next_attempt_at, d.seq
          limit ${limit * 4})
        union all
        (select d.id, d.endpoint_id, d.order_key, d.seq, d.next_attempt_at from ${webhookDeliveries} d
          where ${expired ? sql`d.status = 'delivering'` : sql`false`} and d.lease_expires_at < ${nowIso}::timestamptz
          order by d.lease_expires_at
          limit ${limit})
      ),
      heads as materialized (
        select due.id, due.endpoint_id, due.order_key, due.seq from due
          where due.seq = (
              select min(p.seq) from ${webhookDeliveries} p
                where p.endpoint_id = due.endpoint_id and p.order_key = due.order_key and p.status in ('pending', 'delivering'))
            and exists (select 1 from ${webhookEndpoints} e where e.id = due.endpoint_id and e.enabled)
          order by due.next_attempt_at, due.seq
          limit ${limit}
      ),
      links as materialized (
        select h.id as head_id, l.id, l.pos from heads h
          cross join lateral (
            select q.id, (row_number() over (order by q.seq) - 1)::int as pos,
                bool_and(q.claimable) over (order by q.seq) as unbroken
              from (
                select p.id, p.seq,
                    (p.status = 'pending' and p.next_attempt_at <= ${nowIso}::timestamptz)
                      or (p.status = 'delivering' and p.lease_expires_at < ${nowIso}::timestamptz) as claimable
                  from ${webhookDeliveries} p
                  where p.endpoint_id = h.endpoint_id and p.order_key = h.order_key and p.status in ('pending', 'delivering')
                    and p.seq >= h.seq
                  order by p.seq
                  limit ${Math.max(1, chain)}
              ) q
          ) l
          where l.unbroken
      ),
      c as (
        select links.head_id, links.pos, x.id from links
          cross join lateral (
            select d.id, d.status, d.next_attempt_at, d.lease_expires_at from ${webhookDeliveries} d
              where d.id = links.id
              for update skip locked
          ) x
          where case x.status when 'pending' then x.next_attempt_at <= ${nowIso}::timestamptz
              when 'delivering' then x.lease_expires_at < ${nowIso}::timestamptz else false end
      ),
      kept as (
        select x.id, x.pos from (
          select c.id, c.pos, count(*) over (partition by c.head_id order by c.pos) as n from c
        ) x where x.n = x.pos + 1
      ),
      u as (
        update ${webhookDeliveries} w set status = 'delivering', attempts = w.attempts + 1, lease_owner = ${owner}::uuid,
            lease_expires_at = ${until}::timestamptz, updated_at = ${nowIso}::timestamptz
          from kept
          where w.id = kept.id
          returning w.id, w.tenant_id, w.endpoint_id, w.event_id, w.order_key, w.seq, w.attempts, w.lease_owner, w.lease_expires_at, kept.pos
      )
      select u.id, u.tenant_id, u.endpoint_id, u.event_id, u.order_key, u.attempts, u.lease_owner, u.lease_expires_at, u.pos,
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
    chainPos: Number(r.pos ?? 0),
    type: r.type as OutgoingEventType,
    data: (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
    createdAt: asDate(r.created_at),
    url: String(r.url),
    secretEnc: String(r.secret_enc),
    previousSecretEnc: (r.previous_secret_enc as string | null) ?? null,
    previousSecretExpiresAt: asDateOrNull(r.previous_secret_expires_at),
  }));
}

/**
 * What one attempt of a claimed delivery came to. `status`: the delivery's new status; `released`: no attempt was
 * made (a claimed delivery behind one that will be retried, or one whose lease ran short), so it goes back to
 * pending at `nextAttemptAt` at the latest, its claim's attempt not counted.
 */
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
  status: "succeeded" | "pending" | "failed" | "released";
  /** when status is pending: the next try; when released: not before then */
  nextAttemptAt: Date | null;
  /** failed because its retries ran out (a retryable failure): revived when its endpoint is switched off meanwhile */
  gaveUp?: boolean;
};

/**
 * Writes outcomes in one statement: each attempt row (for every outcome but `released`: the request was made), each delivery's new state
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
  // later: the deliveries waiting behind one that will be retried wait until then too (keeps them off the due scan);
  // the status test is a CASE so that no partial index qualifies for the update's lookup by key (see the claim)
  const updated = rowsOf<{ id: string }>(
    await db.execute(sql`
      with v as (
        select * from jsonb_to_recordset(${json}::jsonb) as x(id uuid, tenant_id uuid, endpoint_id uuid, owner uuid, attempts int,
          attempted_at timestamptz, finished_at timestamptz, latency_ms int, status_code int, snippet text, error text, status text, next_attempt_at timestamptz)
      ),
      a as (
        insert into ${webhookDeliveryAttempts} (tenant_id, delivery_id, endpoint_id, attempted_at, status_code, latency_ms, response_snippet, error)
        select tenant_id, id, endpoint_id, attempted_at, status_code, latency_ms, snippet, error from v where v.status <> 'released'
      ),
      later as (
        update ${webhookDeliveries} s set next_attempt_at = r.next_attempt_at
          from (select w.endpoint_id, w.order_key, w.seq, v.next_attempt_at from v join ${webhookDeliveries} w on w.id = v.id
                  where v.status = 'pending' and w.lease_owner = v.owner and w.attempts = v.attempts) r
          where s.endpoint_id = r.endpoint_id and s.order_key = r.order_key and s.seq > r.seq and s.status = 'pending'
            and s.next_attempt_at < r.next_attempt_at
      )
      update ${webhookDeliveries} d set status = case when v.status = 'released' then 'pending' else v.status end,
          attempts = case when v.status = 'released' then d.attempts - 1 else d.attempts end,
          next_attempt_at = case when v.status = 'released' then greatest(d.next_attempt_at, v.next_attempt_at)
            else coalesce(v.next_attempt_at, d.next_attempt_at) end,
          lease_owner = null, lease_expires_at = null,
          last_attempt_at = case when v.status = 'released' then d.last_attempt_at else v.attempted_at end,
          last_status_code = case when v.status = 'released' then d.last_status_code else v.status_code end,
          last_error = case when v.status = 'released' then d.last_error else v.error end,
          delivered_at = case when v.status = 'succeeded' then v.finished_at else d.delivered_at end,
          updated_at = v.finished_at
        from v
        where d.id = any(array(select id from v)) and d.id = v.id
          and case d.status when 'delivering' then d.lease_owner = v.owner and d.attempts = v.attempts else false end
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

/** A timestamptz as JavaScript's toISOString() writes it (UTC, milliseconds, "Z"). */
const isoSql = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * CTEs to add to a statement's WITH list: lead.stopped for the leads `leadIds` selects (a `select lead_id …` of the
 * statement's own stop), as lib/webhooks-out/lead-events.ts leadStoppedEvent(lead, reason.code, now, reason.message,
 * { automatic: true }) builds it: same source key and data, so the stop and its event commit together in one
 * statement. `stop_d` returns a row per delivery written. Written only when an enabled endpoint of the tenant listens to lead.stopped; a replay writes nothing.
 */
export function leadStoppedEventsSql({
  tenantId,
  leadIds,
  reason,
  now,
}: {
  tenantId: string;
  leadIds: SQL;
  reason: { code: string; message: string };
  now: Date;
}): SQL {
  const at = now.toISOString();
  return sql`
      stop_ep as materialized (
        select id from ${webhookEndpoints}
          where tenant_id = ${tenantId}::uuid and enabled and ('lead.stopped' = any(event_types) or '*' = any(event_types))
      ),
      stop_ev as (
        insert into ${outgoingEvents} (tenant_id, type, source_key, subscriber_id, data, occurred_at)
        select l.tenant_id, 'lead.stopped',
            l.id || ':' || coalesce(${isoSql(sql`l.enrolled_at`)}, 'never') || ':stopped:' || ${reason.code}::text,
            l.subscriber_id,
            jsonb_build_object(
              'lead', jsonb_build_object('id', l.id, 'name', l.name, 'phone', l.phone, 'segment', l.segment, 'source', l.source,
                'externalRef', l.external_ref, 'subscriberId', l.subscriber_id, 'numberId', l.number_id, 'createdAt', ${isoSql(sql`l.created_at`)}),
              'reason', ${reason.code}::text, 'message', ${reason.message}::text, 'stoppedAt', ${at}::text),
            ${at}::timestamptz
          from ${leads} l
          where l.tenant_id = ${tenantId}::uuid and l.id in (${leadIds}) and exists (select 1 from stop_ep)
          order by l.created_at, l.id
        on conflict (tenant_id, type, source_key) do nothing
        returning id, subscriber_id
      ),
      stop_d as (
        insert into ${webhookDeliveries} (tenant_id, endpoint_id, event_id, order_key)
        select ${tenantId}::uuid, stop_ep.id, stop_ev.id, coalesce(stop_ev.subscriber_id::text, stop_ev.id::text) from stop_ev cross join stop_ep
        on conflict (endpoint_id, event_id) do nothing
        returning 1
      )`;
}
