// Scheduled work, one function for both schedulers: Vercel Cron (GET /api/cron/drip) and the
// self-hosted ticker (CRON_MODE=internal, every minute inside the server). It drains stored
// webhook events the request-time loop did not finish, then the jobs queue, then housekeeping
// (old refused and unrouted webhooks, spent sign-in counters, subscribers gone silent).
import type { Db } from "@/db/client";
import { type ConversionDeliveryDeps, capiForwardHandler } from "@/lib/conversions/deliver";
import { CAPI_FORWARD_JOB } from "@/lib/conversions/deliver-policy";
import { conversionDepsFromEnv } from "@/lib/conversions/deps";
import { type DripDeps, type DripResult, runDrip } from "@/lib/drip/dispatch";
import { getEnv } from "@/lib/env";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import { type DrainJobsResult, drainJobs, type JobHandlers } from "@/lib/jobs/queue";
import { REPLY_JOB } from "@/db/queries/replies";
import { replyDepsFromEnv, replyJobHandler } from "@/lib/inbox/deliver-reply";
import { AD_ENRICHMENT_JOB, adEnrichmentHandler, type EnrichmentDeps } from "@/lib/subscribers/enrichment";
import { drainReceivedEvents, type ProcessTotals, WEBHOOK_RETRY_JOB, webhookRetryHandler } from "@/lib/whatsapp/processing-loop";
import { pruneWebhookEvents } from "@/lib/whatsapp/retention";
import { pruneSignInThrottle } from "@/lib/accounts/sign-in";
import { markInactiveSubscribers } from "@/lib/subscribers/inactivity";
import { refreshDueScores } from "@/lib/subscribers/score-sweep";
import { type DeliveryTotals, deliveryDepsFromEnv, drainDeliveries } from "@/lib/webhooks-out/loop";
import { telegramDepsFromEnv } from "@/lib/telegram/client";
import { TELEGRAM_LEAD_JOB, telegramLeadJobHandler } from "@/lib/telegram/lead-notice";
import { AUDIENCE_SYNC_JOB, audienceSyncDepsFromEnv, audienceSyncHandler, enqueueDueAudienceSyncs } from "@/lib/audiences/sync";

/** The drip run's counts first (`claimed, sent, skipped, failed, retried, cancelled`, `more`), then the other work. */
export type ScheduledWorkResult = Omit<DripResult, "tookMs"> & {
  webhooks: ProcessTotals;
  jobs: DrainJobsResult;
  /** outgoing webhooks delivered (or retried) by this run (the process's own loop delivers most of them) */
  outgoingWebhooks: DeliveryTotals;
  rejectedWebhooksDeleted: number;
  unroutedWebhooksDeleted: number;
  failedWebhooksDeleted: number;
  /** processed events of workspaces whose retention is shorter than the day partitions are kept */
  expiredWebhooksDeleted: number;
  webhookPartitionsDropped: number;
  signInCountersDeleted: number;
  subscribersMarkedInactive: number;
  /** lifecycle scores recomputed because time alone changed them (a window closed, a day, week or month passed) */
  scoresRefreshed: number;
  tookMs: number;
};

/** Graph access for ad enrichment, from the validated environment. */
function enrichmentDepsFromEnv(): EnrichmentDeps {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION } };
}

export function jobHandlers(db: Db, deps: { enrichment?: EnrichmentDeps; conversions?: ConversionDeliveryDeps } = {}): JobHandlers {
  return {
    [WEBHOOK_RETRY_JOB]: webhookRetryHandler(db),
    [AD_ENRICHMENT_JOB]: adEnrichmentHandler(db, deps.enrichment ?? enrichmentDepsFromEnv()),
    [CAPI_FORWARD_JOB]: capiForwardHandler(db, deps.conversions ?? conversionDepsFromEnv()),
    // an inbox reply whose request never ran its send (lib/inbox/deliver-reply.ts)
    [REPLY_JOB]: replyJobHandler(db, replyDepsFromEnv()),
    // a new lead's Telegram message whose request never sent it (lib/telegram/lead-notice.ts)
    [TELEGRAM_LEAD_JOB]: telegramLeadJobHandler(db, telegramDepsFromEnv()),
    // Meta Custom Audience syncs (lib/audiences/sync.ts)
    [AUDIENCE_SYNC_JOB]: audienceSyncHandler(db, audienceSyncDepsFromEnv()),
  };
}

function dripDepsFromEnv(): DripDeps {
  const env = getEnv();
  return {
    encryptionKey: env.ENCRYPTION_KEY,
    graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION },
    greenEgress: greenEgressPolicy(env.GREEN_API_HOSTS),
  };
}

/** Stored webhooks first (they decide opt-outs and windows), then the drip queue, then the jobs queue, within one budget. */
export async function runScheduledWork(
  db: Db,
  { now = () => new Date(), budgetMs = 50_000, drip }: { now?: () => Date; budgetMs?: number; drip?: DripDeps } = {},
): Promise<ScheduledWorkResult> {
  const started = Date.now();
  const left = () => Math.max(1_000, budgetMs - (Date.now() - started));
  const webhooks = await drainReceivedEvents(db, { now, budgetMs: budgetMs / 4 });
  const { tookMs: _dripMs, ...sends } = await runDrip(db, drip ?? dripDepsFromEnv(), { now, budgetMs: (left() * 2) / 3 });
  await enqueueDueAudienceSyncs(db, { now: now() }); // periodic audience syncs, run by the drain below
  const jobs = await drainJobs(db, { handlers: jobHandlers(db), now, budgetMs: left() });
  const outgoingWebhooks = await drainDeliveries(db, deliveryDepsFromEnv(), { now, budgetMs: Math.min(20_000, left()) });
  const pruned = await pruneWebhookEvents(db, { now: now() });
  const signInCountersDeleted = await pruneSignInThrottle(db, { now: now() });
  const subscribersMarkedInactive = await markInactiveSubscribers(db, { now: now() });
  const scoresRefreshed = await refreshDueScores(db, { now: now(), budgetMs: Math.min(10_000, left()) });
  return {
    ...sends,
    webhooks,
    jobs,
    outgoingWebhooks,
    rejectedWebhooksDeleted: pruned.rejected,
    unroutedWebhooksDeleted: pruned.unrouted,
    failedWebhooksDeleted: pruned.failed,
    expiredWebhooksDeleted: pruned.expired,
    webhookPartitionsDropped: pruned.partitionsDropped,
    signInCountersDeleted,
    subscribersMarkedInactive,
    scoresRefreshed,
    tookMs: Date.now() - started,
  };
}

type Ticker = { timer: ReturnType<typeof setInterval> | null; busy: boolean };
const g = globalThis as unknown as { __clicktrailTicker?: Ticker };

/**
 * CRON_MODE=internal: run the scheduled work every minute in this process (never two runs at once). A run whose
 * drip stopped on its budget with rows still due is followed by the next one at once, not a minute later: a
 * backlog goes out at the numbers' rates, not for a part of each minute.
 */
export function startInternalTicker(getDb: () => Promise<Db>, { intervalMs = 60_000, log = console.info } = {}): void {
  const ticker = (g.__clicktrailTicker ??= { timer: null, busy: false });
  if (ticker.timer) return;
  const tick = async () => {
    if (ticker.busy) return;
    ticker.busy = true;
    let again = false;
    try {
      const result = await runScheduledWork(await getDb());
      again = result.more;
      if (result.claimed > 0 || result.jobs.claimed > 0 || result.webhooks.processed > 0 || result.webhooks.failed > 0) {
        log(
          `[clicktrail] scheduled run: ${result.sent} drip messages sent (${result.retried} retried, ${result.failed} failed, ${result.skipped} skipped, ${result.cancelled} cancelled, ${result.deferred} held for quiet hours), ${result.webhooks.processed} webhook events, ${result.jobs.done} jobs done (${result.tookMs} ms)`,
        );
      }
    } catch (e) {
      console.error("[clicktrail] scheduled run failed", e);
    } finally {
      ticker.busy = false;
    }
    if (again) setTimeout(() => void tick(), 0).unref?.();
  };
  ticker.timer = setInterval(tick, intervalMs);
  ticker.timer.unref?.();
}
