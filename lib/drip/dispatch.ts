// The drip run (GET /api/cron/drip and the self-hosted ticker): claims due queue rows with SKIP LOCKED
// and a lease, applies the rules, renders each message at send time and sends it through its number's
// provider, each number kept under its rate, until nothing is due or the time budget is spent.
import type { Db } from "@/db/client";
import { randomUUID } from "node:crypto";
import {
  acquireNumberLease,
  beginOutboundSends,
  claimDueOutbound,
  type DispatchContext,
  failUnconfirmedOutbound,
  finishOutbounds,
  loadDispatchContext,
  type OutboundBegin,
  type OutboundFinish,
  type OutboundOutcome,
  type OutboundRow,
  type OutboundSentAs,
  releaseNumberLeases,
  renewDripLeases,
  SEND_UNCONFIRMED,
  unclaimOutbound,
} from "@/db/queries";
import { openSecret } from "@/lib/crypto";
import { DEMO_NUMBER_CODE, demoNumberRefusal } from "@/lib/numbers/demo-number";
import type { EgressPolicy } from "@/lib/egress";
import { groupWriter } from "@/lib/group-writer";
import { telegramDepsFromEnv, type TelegramDeps } from "@/lib/telegram/client";
import { notifyDripFailuresLater } from "@/lib/telegram/notices";
import { MARKETING_STOPPED, isMarketingStopped } from "@/lib/subscribers/marketing-preference";
import type { GraphConfig } from "@/lib/graph/client";
import { type OutgoingMessage, type Sender, type SendOutcome, sendThrough } from "./providers";
import { quietHoursOf, quietUntil } from "./quiet-hours";
import { renderTemplate, variablesFor } from "./render";

/**
 * `greenEgress`: where Green API calls may go (Green's hosts + GREEN_API_HOSTS); Green's hosts only when absent.
 * `telegram`: the Bot API for the "drip message failed" notices (from the environment when absent).
 */
export type DripDeps = { encryptionKey: string; graph: GraphConfig; greenTimeoutMs?: number; greenEgress?: EgressPolicy; telegram?: TelegramDeps };
/** `lost`: rows this run claimed but did not send because another run took them over (or their lease ran out). */
/** `deferred`: rows due inside the quiet hours, moved to the period's end (not an attempt). */
export type DripResult = {
  claimed: number;
  sent: number;
  skipped: number;
  failed: number;
  retried: number;
  cancelled: number;
  deferred: number;
  lost: number;
  tookMs: number;
};

export const DRIP_MAX_ATTEMPTS = 5;
export const DEFAULT_SEND_RATE = 20;
export const MAX_SEND_RATE = 80;

/** 30 s, 1 min, 2 min, 4 min … with ±20 % jitter; a provider's Retry-After wins when longer. */
export function dripBackoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

type Decision =
  | { send: OutgoingMessage; sender: Sender; renderedText: string | null; subscriberId: string | null }
  | { outcome: OutboundOutcome; tally: "skipped" | "cancelled" | "failed" | "deferred" };

const stop = (status: "skipped" | "cancelled" | "failed", errorCode: string, errorMessage: string): Decision => ({
  outcome: { status, errorCode, errorMessage },
  tally: status,
});

/**
 * The rules of seeds/003 and the send API for one claimed row: what to send and how, or why not. A row that
 * would be sent inside the workspace's quiet hours (in the subscriber's own time zone) is moved to the end of
 * the period instead: pending again, its attempt given back, nothing recorded as an error.
 */
export function decide(row: OutboundRow, ctx: DispatchContext, deps: DripDeps, now: Date): Decision {
  const d = decideSend(row, ctx, deps, now);
  if (!("send" in d)) return d;
  const quiet = ctx.quietHours.get(row.tenantId);
  const subscriber = d.subscriberId ? ctx.subscribersById.get(d.subscriberId) : ctx.subscribersByPhone.get(`${row.tenantId}:${row.phone}`);
  const until = quiet ? quietUntil(now, subscriber?.timezone ?? null, quietHoursOf(quiet)) : null;
  if (!until) return d;
  return { outcome: { status: "pending", scheduledAt: until, nextAttemptAt: null, attempts: row.attempts - 1 }, tally: "deferred" };
}

function decideSend(row: OutboundRow, ctx: DispatchContext, deps: DripDeps, now: Date): Decision {
  const lead = row.leadId ? ctx.leads.get(row.leadId) : undefined;
  if (row.leadId && !lead) return stop("cancelled", "lead_deleted", "The lead was deleted");
  if (lead && !lead.campaignActive) return stop("cancelled", "campaign_stopped", "The lead's campaign was stopped");
  const subscriber =
    (lead?.subscriberId ? ctx.subscribersById.get(lead.subscriberId) : undefined) ??
    (row.subscriberId ? ctx.subscribersById.get(row.subscriberId) : undefined) ??
    ctx.subscribersByPhone.get(`${row.tenantId}:${row.phone}`);
  if (subscriber?.status === "opted_out") return stop("cancelled", "opted_out", "The subscriber opted out");
  if (subscriber?.status === "blocked") return stop("cancelled", "blocked", "The subscriber is blocked");
  if (isMarketingStopped(subscriber)) return stop("cancelled", MARKETING_STOPPED.code, MARKETING_STOPPED.message);
  const template = row.templateId ? ctx.templates.get(row.templateId) : undefined;
  if (!template) return stop("cancelled", "template_deleted", "The template was deleted");
  if (!template.active) return stop("skipped", "template_inactive", `Template "${template.name}" is inactive`);
  const number = row.numberId ? ctx.numbers.get(row.numberId) : undefined;
  if (!number) return stop("skipped", "no_number", "No WhatsApp number to send from: connect one and re-enroll the lead");
  const demo = demoNumberRefusal(number);
  if (demo) return stop("skipped", DEMO_NUMBER_CODE, demo);

  const variables = variablesFor({
    lead: lead ?? { name: subscriber?.profileName ?? "", phone: row.phone, segment: null },
    subscriber,
    segmentValues: (lead?.segment ? ctx.segmentVariables.get(row.tenantId)?.[lead.segment] : undefined) ?? {},
  });
  const rendered = renderTemplate(template.content, variables);
  if (rendered.unknown.length > 0)
    return stop("failed", "unknown_variables", `The template uses unknown variables: ${rendered.unknown.map((v) => `{{${v}}}`).join(", ")}`);
  if (rendered.tooLong) return stop("failed", "too_long", `The message is ${rendered.length} characters; WhatsApp allows 4,096`);
  const subscriberId = subscriber?.id ?? row.subscriberId;

  if (number.provider === "green") {
    const token = openSecret(number.greenTokenEnc, deps.encryptionKey);
    if (!token || !number.greenApiUrl || !number.greenInstanceId)
      return stop("failed", "not_configured", `${number.label}: the Green API instance or token cannot be read`);
    return {
      send: { type: "text", to: row.phone, text: rendered.text },
      sender: {
        provider: "green",
        apiUrl: number.greenApiUrl,
        instanceId: number.greenInstanceId,
        token,
        timeoutMs: deps.greenTimeoutMs,
        egress: deps.greenEgress,
      },
      renderedText: rendered.text,
      subscriberId,
    };
  }
  if (number.provider !== "cloud") return stop("skipped", "unsupported_provider", `${number.label}: sending through ${number.provider} is not supported`);
  const token = openSecret(number.accessTokenEnc, deps.encryptionKey);
  if (!token || !number.phoneNumberId) return stop("failed", "not_configured", `${number.label}: the access token cannot be read`);
  const sender: Sender = { provider: "cloud", phoneNumberId: number.phoneNumberId, token, graph: deps.graph };
  // WhatsApp's 24 h window is per business number: free text only when the person's open conversation is with this one
  const windowOpen =
    subscriber?.conversationExpiresAt && subscriber.conversationNumberId === number.id ? subscriber.conversationExpiresAt.getTime() > now.getTime() : false;
  if (windowOpen) return { send: { type: "text", to: row.phone, text: rendered.text }, sender, renderedText: rendered.text, subscriberId };
  if (template.metaTemplate) {
    return { send: { type: "template", to: row.phone, template: template.metaTemplate, values: variables }, sender, renderedText: rendered.text, subscriberId };
  }
  return stop("skipped", "outside_window", "Outside the 24-hour window, and the template has no approved Meta template bound");
}

/** Connection failures that prove the request never left us (refused, unresolvable, unreachable). */
const NEVER_SENT = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)\b/;

/**
 * A failure with no answer after the request may have left: a timeout, or a connection lost mid-request. The
 * provider may have accepted the message, and neither API takes an idempotency key, so sending it again could
 * deliver it twice.
 */
export function mayHaveReachedProvider(result: SendOutcome): boolean {
  if (result.kind !== "transient") return false;
  return result.code === "timeout" || (result.code === "network" && !NEVER_SENT.test(result.message));
}

/** What a provider's answer makes of the row: an unconfirmed send is never retried by itself (at most once). */
export function outcomeOf(
  row: OutboundRow,
  result: SendOutcome,
  now: Date,
  random: () => number = Math.random,
): { outcome: OutboundOutcome; tally: "sent" | "retried" | "failed" } {
  if (result.kind === "sent") {
    return {
      outcome: {
        status: "sent",
        providerMessageId: result.providerMessageId,
        sentAt: now,
        providerResponse: result.response,
        errorCode: null,
        errorMessage: null,
        nextAttemptAt: null,
      },
      tally: "sent",
    };
  }
  const error = { errorCode: result.code, errorMessage: result.message, providerResponse: result.response };
  if (mayHaveReachedProvider(result)) {
    return {
      outcome: {
        ...error,
        status: "failed",
        errorCode: SEND_UNCONFIRMED.code,
        errorMessage: `${result.message}: ${SEND_UNCONFIRMED.message}`,
        nextAttemptAt: null,
      },
      tally: "failed",
    };
  }
  if (result.kind === "transient" && row.attempts < DRIP_MAX_ATTEMPTS) {
    const wait = Math.max(result.retryAfterMs ?? 0, dripBackoffMs(row.attempts, random));
    return { outcome: { ...error, status: "pending", nextAttemptAt: new Date(now.getTime() + wait) }, tally: "retried" };
  }
  const message = result.kind === "transient" ? `${result.message} (gave up after ${row.attempts} attempts)` : result.message;
  return { outcome: { ...error, errorMessage: message, status: "failed", nextAttemptAt: null }, tally: "failed" };
}

/** What the provider was asked to send, as the messages row records it (the drip sends text or a bound template). */
function sentAsOf(m: OutgoingMessage): OutboundSentAs {
  return m.type === "template" ? { type: "template", template: { name: m.template.name, language: m.template.language } } : { type: "text" };
}

/** Starts at most `rate` sends per second for one number (starts spaced 1000/rate ms apart). */
function pacer(rate: number) {
  const gap = 1000 / Math.min(MAX_SEND_RATE, Math.max(1, rate));
  let next = 0;
  return async () => {
    const at = Math.max(Date.now(), next);
    next = at + gap;
    const wait = at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
}

/**
 * The run's heartbeat: every third of the lease it extends the leases the run still holds (its rows and its
 * numbers), so a run that outlives one lease keeps what it claimed. Returns the stop function.
 */
function keepLeasesAlive(db: Db, { runId, now, leaseMs }: { runId: string; now: () => Date; leaseMs: number }): () => Promise<void> {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let beat: Promise<void> = Promise.resolve();
  const schedule = () => {
    timer = setTimeout(
      () => {
        const at = now();
        beat = renewDripLeases(db, { runId, now: at, until: new Date(at.getTime() + leaseMs) }).then(
          () => undefined,
          // a missed beat only shortens the leases: every send checks its own lease first
          (e: unknown) => console.error("[clicktrail] drip lease renewal failed", e),
        );
        void beat.finally(() => (stopped ? undefined : schedule()));
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await beat;
  };
}

// The checks before sends and the outcomes after them go to the database in groups (one statement for
// those that come together across all numbers being sent for), so each send costs a fraction of a round trip.
const beginSend = groupWriter<OutboundBegin, boolean>("drip-begin", beginOutboundSends, { maxItems: 500, maxInFlight: 2 });
const finishSend = groupWriter<OutboundFinish, boolean>("drip-finish", finishOutbounds, { maxItems: 500, maxInFlight: 2 });

type NumberBatch = {
  runId: string;
  /** the ids of rows this run recorded as failed (for the managers' Telegram notice, after the batch) */
  failed: string[];
  rows: OutboundRow[];
  ctx: DispatchContext;
  pace: () => Promise<void>;
  leaseMs: number;
  now: () => Date;
  random: () => number;
};

/**
 * Sends one number's claimed rows at its pace. Each send first checks, in one statement with marking it
 * begun, that this run still holds the row; a row it lost is left to whoever holds it now.
 */
async function sendNumberRows(
  db: Db,
  deps: DripDeps,
  { runId, failed, rows, ctx, pace, leaseMs, now, random }: NumberBatch,
  totals: DripResult,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (const row of rows) {
    const claim = { id: row.id, runId, attempts: row.attempts };
    const d = decide(row, ctx, deps, now());
    if ("outcome" in d) {
      if (await finishSend(db, { ...claim, outcome: d.outcome, now: now() })) {
        totals[d.tally] += 1;
        if (d.outcome.status === "failed") failed.push(row.id);
      } else totals.lost += 1;
      continue;
    }
    await pace();
    const task = (async () => {
      const start = now();
      if (!(await beginSend(db, { ...claim, numberId: row.numberId, now: start, until: new Date(start.getTime() + leaseMs) }))) {
        await unclaimOutbound(db, { runId, rows: [row] }); // back to pending if it is still ours (our own lease ran out)
        totals.lost += 1;
        return;
      }
      const result = await sendThrough(d.sender, d.send);
      const at = now();
      const { outcome, tally } = outcomeOf(row, result, at, random);
      const finish = { ...claim, outcome: { ...outcome, renderedText: d.renderedText, subscriberId: d.subscriberId }, now: at, sentAs: sentAsOf(d.send) };
      if (await finishSend(db, finish)) {
        totals[tally] += 1;
        if (outcome.status === "failed") failed.push(row.id);
      }
    })();
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= 16) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

/**
 * One drip run. Batches are claimed until nothing is due or `budgetMs` is spent; each number's rows go
 * out at its `sendRatePerSecond` (default 20, at most 80), numbers in parallel. A run sends for a number
 * only while it holds that number's lease, so runs side by side (cron, ticker, parallel invocations)
 * share the numbers instead of adding up their rates. Its leases are renewed while it works, and a row is
 * sent only while this run still holds it: a message reaches the provider at most once. Rows that fail are told to
 * the managers' Telegram chat where the workspace asked for it, after their outcome was committed (never waited for).
 */
export async function runDrip(
  db: Db,
  deps: DripDeps,
  {
    now = () => new Date(),
    budgetMs = 50_000,
    batchSize = 500,
    leaseMs = 120_000,
    random = Math.random,
  }: { now?: () => Date; budgetMs?: number; batchSize?: number; leaseMs?: number; random?: () => number } = {},
): Promise<DripResult> {
  const started = Date.now();
  const totals: DripResult = { claimed: 0, sent: 0, skipped: 0, failed: 0, retried: 0, cancelled: 0, deferred: 0, lost: 0, tookMs: 0 };
  const pacers = new Map<string, () => Promise<void>>();
  const runId = randomUUID();
  const stopHeartbeat = keepLeasesAlive(db, { runId, now, leaseMs });
  try {
    while (Date.now() - started < budgetMs) {
      const unconfirmed: string[] = [];
      totals.failed += await failUnconfirmedOutbound(db, { now: now(), failed: unconfirmed });
      notifyDripFailuresLater(db, unconfirmed, deps.telegram ?? telegramDepsFromEnv);
      const rows = await claimDueOutbound(db, { now: now(), limit: batchSize, leaseMs, runId });
      if (rows.length === 0) break;
      totals.claimed += rows.length;
      const ctx = await loadDispatchContext(db, rows);
      const failed: string[] = [];
      const byNumber = new Map<string, OutboundRow[]>();
      for (const row of rows) {
        const key = row.numberId ?? "none";
        byNumber.set(key, [...(byNumber.get(key) ?? []), row]);
      }
      await Promise.all(
        [...byNumber].map(async ([numberId, list]) => {
          if (ctx.numbers.has(numberId)) {
            const at = now();
            if (!(await acquireNumberLease(db, { numberId, runId, now: at, until: new Date(at.getTime() + leaseMs) }))) {
              await unclaimOutbound(db, { runId, rows: list }); // another run is sending for this number: its rows are left to it
              totals.claimed -= list.length;
              return;
            }
          }
          const pace = pacers.get(numberId) ?? pacer(ctx.numbers.get(numberId)?.sendRatePerSecond ?? DEFAULT_SEND_RATE);
          pacers.set(numberId, pace);
          await sendNumberRows(db, deps, { runId, failed, rows: list, ctx, pace, leaseMs, now, random }, totals);
        }),
      );
      // the managers' "drip message failed" notices: after the outcomes were committed, in the background (one read
      // for the whole batch finds the workspaces that want them; nothing more when none does)
      notifyDripFailuresLater(db, failed, deps.telegram ?? telegramDepsFromEnv);
    }
  } finally {
    await stopHeartbeat();
    await releaseNumberLeases(db, { runId });
  }
  totals.tookMs = Date.now() - started;
  return totals;
}
