// The drip run (GET /api/cron/drip and the self-hosted ticker): claims due queue rows with SKIP LOCKED
// and a lease, applies the rules, renders each message at send time and sends it through its number's
// provider, each number kept under its rate, until nothing is due or the time budget is spent.
import type { Db } from "@/db/client";
import { randomUUID } from "node:crypto";
import {
  acquireNumberLease,
  beginOutboundSends,
  claimDueOutboundByNumber,
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
import { type PaceClock, SendPacer, paced, realClock } from "./pacer";
import { quietHoursOf, quietUntil } from "./quiet-hours";
import { renderTemplate, variablesFor } from "./render";

/**
 * `greenEgress`: where Green API calls may go (Green's hosts + GREEN_API_HOSTS); Green's hosts only when absent.
 * `telegram`: the Bot API for the "drip message failed" notices (from the environment when absent).
 */
export type DripDeps = { encryptionKey: string; graph: GraphConfig; greenTimeoutMs?: number; greenEgress?: EgressPolicy; telegram?: TelegramDeps };
/** `lost`: rows this run claimed but did not send because another run took them over (or their lease ran out). */
/** `deferred`: rows due inside the quiet hours, moved to the period's end (not an attempt). */
/** `more`: the budget ran out while rows were still due (a backlog); false once nothing was left to claim. */
export type DripResult = {
  claimed: number;
  sent: number;
  skipped: number;
  failed: number;
  retried: number;
  cancelled: number;
  deferred: number;
  lost: number;
  /** the run stopped on its time budget with rows still due: the next run may start at once */
  more: boolean;
  tookMs: number;
};

export const DRIP_MAX_ATTEMPTS = 5;
export const DEFAULT_SEND_RATE = 20;
/** Meta's highest throughput tier; lib/numbers/schemas.ts keeps each provider's own limit. */
export const MAX_SEND_RATE = 1000;

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
const beginSend = groupWriter<OutboundBegin, boolean>("drip-begin", beginOutboundSends, { maxItems: 500, maxInFlight: 3 });
const finishSend = groupWriter<OutboundFinish, boolean>("drip-finish", finishOutbounds, { maxItems: 500, maxInFlight: 3 });

/**
 * How long a number's claimed rows last at its rate: each claim tops a number up to this much, and a number
 * asks for the next claim once it holds less than two thirds of it. Three seconds, as a claim and its context
 * can take a second on a busy database: a number must not run out while its next rows are on their way.
 */
export const DRIP_LOOKAHEAD_MS = 3_000;
/** At most this long between claims (new due rows, numbers that had none); a number running low asks sooner. */
const REFILL_MS = 250;
/** Never two claims closer than this (a number whose last rows are out keeps asking). */
const MIN_REFILL_MS = 20;
/**
 * Sends one number may have under way (its begin, the provider's answer, its outcome), as seconds of its rate
 * (at least 32): at 1,000/s with a Graph answer in 200 ms, 200 wait on Meta alone. The cap holds back a provider
 * (or database) that stopped answering, instead of piling up requests that then all time out.
 */
const IN_FLIGHT_SECONDS = 0.5;

type Claimed = { row: OutboundRow; ctx: DispatchContext };

type RunState = {
  db: Db;
  deps: DripDeps;
  runId: string;
  leaseMs: number;
  now: () => Date;
  random: () => number;
  clock: PaceClock;
  totals: DripResult;
  /** the ids of rows this run recorded as failed and not yet told to the managers' Telegram chat */
  failed: string[];
  /** asks the run for a claim now (a lane ran low or out) */
  wake: () => void;
};

/**
 * One number's sends in a run: the rows claimed for it, in order, each send started at the number's pace
 * (rows that are not sent – cancelled, skipped, deferred – take no turn). Claims add rows while it runs; it
 * ends once closed and empty. Each send first checks, in one statement with marking it begun, that this run
 * still holds the row; a row it lost is left to whoever holds it now.
 */
class Lane {
  private queue: Claimed[] = [];
  private head = 0;
  private closed = false;
  /** a claim was asked for since the last rows came (one ask per refill) */
  private asked = false;
  /** the run was told this lane ran out (once per refill) */
  private toldIdle = false;
  private signal: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pacer: SendPacer | null;
  private readonly target: number;
  private readonly maxInFlight: number;
  readonly done: Promise<void>;

  constructor(
    private readonly run: RunState,
    readonly numberId: string | null,
    rate: number | null,
    maxPerClaim: number,
  ) {
    this.pacer = rate === null ? null : new SendPacer(Math.min(MAX_SEND_RATE, rate));
    const r = this.pacer?.rate ?? 0;
    this.target = Math.min(maxPerClaim, Math.max(1, Math.ceil((r * DRIP_LOOKAHEAD_MS) / 1000)));
    this.maxInFlight = Math.max(32, Math.ceil(r * IN_FLIGHT_SECONDS));
    this.done = this.loop();
  }

  get buffered(): number {
    return this.queue.length - this.head;
  }
  get idle(): boolean {
    return this.buffered === 0 && this.inFlight.size === 0;
  }
  /** how many rows the next claim should bring */
  get wants(): number {
    return Math.max(0, this.target - this.buffered);
  }

  push(items: Claimed[]): void {
    if (this.head > 0 && this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    for (const item of items) this.queue.push(item);
    this.asked = false;
    this.toldIdle = false;
    this.signal?.();
  }

  close(): void {
    this.closed = true;
    this.signal?.();
  }

  private ask(): void {
    if (this.asked) return;
    this.asked = true;
    this.run.wake();
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.buffered === 0) {
        if (this.closed) break;
        if (this.inFlight.size > 0) await Promise.race(this.inFlight);
        else {
          // out of rows: the run may claim more for it now, or end once every lane is out
          if (!this.toldIdle) {
            this.toldIdle = true;
            this.asked = true;
            this.run.wake();
          }
          await new Promise<void>((resolve) => (this.signal = resolve));
          this.signal = null;
        }
        continue;
      }
      const item = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as Claimed; // let the row go once taken
      if (this.buffered * 3 < this.target * 2) this.ask();
      const d = decide(item.row, item.ctx, this.run.deps, this.run.now());
      if ("send" in d && this.pacer) await paced(this.pacer, this.run.clock);
      const task = "send" in d ? this.send(item.row, d) : this.settle(item.row, d);
      this.inFlight.add(task);
      void task.finally(() => this.inFlight.delete(task));
      if (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    }
    await Promise.all(this.inFlight);
  }

  /** A row that is not sent: its outcome recorded while this run still holds it. */
  private async settle(row: OutboundRow, d: Extract<Decision, { outcome: OutboundOutcome }>): Promise<void> {
    const { db, runId, now, totals, failed } = this.run;
    if (await finishSend(db, { id: row.id, runId, attempts: row.attempts, outcome: d.outcome, now: now() })) {
      totals[d.tally] += 1;
      if (d.outcome.status === "failed") failed.push(row.id);
    } else totals.lost += 1;
  }

  private async send(row: OutboundRow, d: Extract<Decision, { send: OutgoingMessage }>): Promise<void> {
    const { db, runId, leaseMs, now, random, totals, failed } = this.run;
    const claim = { id: row.id, runId, attempts: row.attempts };
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
  }
}

/**
 * One drip run: every number sends at its own `sendRatePerSecond` (default 20, at most 1,000), all at once,
 * until nothing is due or `budgetMs` is spent. Each number has its own lane: claims keep about a second of its
 * rows ahead of its sends (claimDueOutboundByNumber: a quota per number, so a slow number's backlog never
 * crowds out a fast one), and its sends start on its own pacer (SendPacer: evenly spread, never more than its
 * rate in any second), without waiting for the other numbers. A run sends for a number only while it holds
 * that number's lease, so runs side by side (cron, ticker, parallel invocations) share the numbers instead of
 * adding up their rates. Its leases are renewed while it works, and a row is sent only while this run still
 * holds it: a message reaches the provider at most once. Rows that fail are told to the managers' Telegram
 * chat where the workspace asked for it, after their outcome was committed (never waited for).
 * `batchSize`: the most rows one claim takes for one number.
 */
export async function runDrip(
  db: Db,
  deps: DripDeps,
  {
    now = () => new Date(),
    budgetMs = 50_000,
    batchSize = 2_000,
    leaseMs = 120_000,
    random = Math.random,
    clock = realClock,
  }: { now?: () => Date; budgetMs?: number; batchSize?: number; leaseMs?: number; random?: () => number; clock?: PaceClock } = {},
): Promise<DripResult> {
  const started = Date.now();
  const totals: DripResult = { claimed: 0, sent: 0, skipped: 0, failed: 0, retried: 0, cancelled: 0, deferred: 0, lost: 0, more: true, tookMs: 0 };
  const runId = randomUUID();
  let wakeUp: (() => void) | null = null;
  let woken = false;
  const run: RunState = {
    db,
    deps,
    runId,
    leaseMs,
    now,
    random,
    clock,
    totals,
    failed: [],
    wake: () => {
      woken = true;
      wakeUp?.();
    },
  };
  const telegram = deps.telegram ?? telegramDepsFromEnv;
  // the managers' "drip message failed" notices, for outcomes already committed, in the background
  const notifyFailed = () => {
    if (run.failed.length > 0) notifyDripFailuresLater(db, run.failed.splice(0), telegram);
  };
  const lanes = new Map<string, Lane>();
  const stopHeartbeat = keepLeasesAlive(db, { runId, now, leaseMs });
  try {
    while (Date.now() - started < budgetMs) {
      const claimedAt = clock.now();
      woken = false;
      const unconfirmed: string[] = [];
      // awaited first, then added: lanes add to totals.failed while this statement runs (`+= await` would drop theirs)
      const unconfirmedFailed = await failUnconfirmedOutbound(db, { now: now(), failed: unconfirmed });
      totals.failed += unconfirmedFailed;
      notifyDripFailuresLater(db, unconfirmed, telegram);
      const wants = [...lanes.values()].flatMap((l) => (l.numberId ? [{ numberId: l.numberId, n: l.wants }] : []));
      const rows = await claimDueOutboundByNumber(db, { now: now(), leaseMs, runId, wants, lookaheadMs: DRIP_LOOKAHEAD_MS, maxPerNumber: batchSize });
      notifyFailed();
      if (rows.length === 0 && [...lanes.values()].every((l) => l.idle)) {
        totals.more = false;
        break;
      }
      if (rows.length > 0) {
        totals.claimed += rows.length;
        const ctx = await loadDispatchContext(db, rows);
        const byNumber = new Map<string, Claimed[]>();
        for (const row of rows) {
          const key = row.numberId ?? "none";
          const list = byNumber.get(key);
          if (list) list.push({ row, ctx });
          else byNumber.set(key, [{ row, ctx }]);
        }
        await Promise.all(
          [...byNumber].map(async ([key, list]) => {
            let lane = lanes.get(key);
            if (!lane) {
              const number = row0Number(ctx, key);
              if (number) {
                const at = now();
                if (!(await acquireNumberLease(db, { numberId: key, runId, now: at, until: new Date(at.getTime() + leaseMs) }))) {
                  // another run is sending for this number: its rows are left to it
                  await unclaimOutbound(db, { runId, rows: list.map((c) => c.row) });
                  totals.claimed -= list.length;
                  return;
                }
              }
              lane = new Lane(run, number ? key : null, number ? number.sendRatePerSecond : null, batchSize);
              lanes.set(key, lane);
            }
            lane.push(list);
          }),
        );
      }
      // the next claim: when a number runs low (or out), at the latest after REFILL_MS, never sooner than MIN_REFILL_MS
      const since = clock.now() - claimedAt;
      if (since < MIN_REFILL_MS) await clock.sleep(MIN_REFILL_MS - since);
      if (!woken)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => wakeUp?.(), Math.max(0, REFILL_MS - (clock.now() - claimedAt)));
          wakeUp = () => {
            clearTimeout(timer);
            wakeUp = null;
            resolve();
          };
        });
    }
  } finally {
    for (const lane of lanes.values()) lane.close();
    await Promise.all([...lanes.values()].map((l) => l.done));
    notifyFailed();
    await stopHeartbeat();
    await releaseNumberLeases(db, { runId });
  }
  totals.tookMs = Date.now() - started;
  return totals;
}

/** The number a lane key names, when the claim's context has it (else its rows are skipped as "no number"). */
function row0Number(ctx: DispatchContext, key: string) {
  return ctx.numbers.get(key) ?? null;
}
