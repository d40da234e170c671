// The drip run (GET /api/cron/drip and the self-hosted ticker): claims due queue rows with SKIP LOCKED
// and a lease, applies the rules, renders each message at send time and sends it through its number's
// provider, each number kept under its rate, until nothing is due or the time budget is spent.
import type { Db } from "@/db/client";
import { randomUUID } from "node:crypto";
import {
  acquireNumberLease,
  claimDueOutbound,
  type DispatchContext,
  finishOutbound,
  loadDispatchContext,
  type OutboundOutcome,
  type OutboundRow,
  releaseNumberLeases,
  unclaimOutbound,
} from "@/db/queries";
import { openSecret } from "@/lib/crypto";
import type { EgressPolicy } from "@/lib/egress";
import { MARKETING_STOPPED, isMarketingStopped } from "@/lib/subscribers/marketing-preference";
import type { GraphConfig } from "@/lib/whatsapp/graph-client";
import { type OutgoingMessage, type Sender, type SendOutcome, sendThrough } from "./providers";
import { renderTemplate, variablesFor } from "./render";

/** `greenEgress`: where Green API calls may go (Green's hosts + GREEN_API_HOSTS); Green's hosts only when absent. */
export type DripDeps = { encryptionKey: string; graph: GraphConfig; greenTimeoutMs?: number; greenEgress?: EgressPolicy };
export type DripResult = { claimed: number; sent: number; skipped: number; failed: number; retried: number; cancelled: number; tookMs: number };

export const DRIP_MAX_ATTEMPTS = 5;
export const DEFAULT_SEND_RATE = 20;
export const MAX_SEND_RATE = 80;

/** 30 s, 1 min, 2 min, 4 min … with ±20 % jitter; a provider's Retry-After wins when longer. */
export function dripBackoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

type Decision = { send: OutgoingMessage; sender: Sender; renderedText: string | null; subscriberId: string | null } | { outcome: OutboundOutcome; tally: "skipped" | "cancelled" | "failed" };

const stop = (status: "skipped" | "cancelled" | "failed", errorCode: string, errorMessage: string): Decision => ({ outcome: { status, errorCode, errorMessage }, tally: status });

/** The rules of seeds/003 and the send API for one claimed row: what to send and how, or why not. */
export function decide(row: OutboundRow, ctx: DispatchContext, deps: DripDeps, now: Date): Decision {
  const lead = row.leadId ? ctx.leads.get(row.leadId) : undefined;
  if (row.leadId && !lead) return stop("cancelled", "lead_deleted", "The lead was deleted");
  if (lead && !lead.campaignActive) return stop("cancelled", "campaign_stopped", "The lead's campaign was stopped");
  const subscriber = (lead?.subscriberId ? ctx.subscribersById.get(lead.subscriberId) : undefined)
    ?? (row.subscriberId ? ctx.subscribersById.get(row.subscriberId) : undefined)
    ?? ctx.subscribersByPhone.get(`${row.tenantId}:${row.phone}`);
  if (subscriber?.status === "opted_out") return stop("cancelled", "opted_out", "The subscriber opted out");
  if (subscriber?.status === "blocked") return stop("cancelled", "blocked", "The subscriber is blocked");
  if (isMarketingStopped(subscriber)) return stop("cancelled", MARKETING_STOPPED.code, MARKETING_STOPPED.message);
  const template = row.templateId ? ctx.templates.get(row.templateId) : undefined;
  if (!template) return stop("cancelled", "template_deleted", "The template was deleted");
  if (!template.active) return stop("skipped", "template_inactive", `Template "${template.name}" is inactive`);
  const number = row.numberId ? ctx.numbers.get(row.numberId) : undefined;
  if (!number) return stop("skipped", "no_number", "No WhatsApp number to send from: connect one and re-enroll the lead");

  const variables = variablesFor({
    lead: lead ?? { name: subscriber?.profileName ?? "", phone: row.phone, segment: null },
    subscriber,
    segmentValues: (lead?.segment ? ctx.segmentVariables.get(row.tenantId)?.[lead.segment] : undefined) ?? {},
  });
  const rendered = renderTemplate(template.content, variables);
  if (rendered.unknown.length > 0) return stop("failed", "unknown_variables", `The template uses unknown variables: ${rendered.unknown.map((v) => `{{${v}}}`).join(", ")}`);
  if (rendered.tooLong) return stop("failed", "too_long", `The message is ${rendered.length} characters; WhatsApp allows 4,096`);
  const subscriberId = subscriber?.id ?? row.subscriberId;

  if (number.provider === "green") {
    const token = openSecret(number.greenTokenEnc, deps.encryptionKey);
    if (!token || !number.greenApiUrl || !number.greenInstanceId) return stop("failed", "not_configured", `${number.label}: the Green API instance or token cannot be read`);
    return {
      send: { type: "text", to: row.phone, text: rendered.text },
      sender: { provider: "green", apiUrl: number.greenApiUrl, instanceId: number.greenInstanceId, token, timeoutMs: deps.greenTimeoutMs, egress: deps.greenEgress },
      renderedText: rendered.text,
      subscriberId,
    };
  }
  if (number.provider !== "cloud") return stop("skipped", "unsupported_provider", `${number.label}: sending through ${number.provider} is not supported`);
  const token = openSecret(number.accessTokenEnc, deps.encryptionKey);
  if (!token || !number.phoneNumberId) return stop("failed", "not_configured", `${number.label}: the access token cannot be read`);
  const sender: Sender = { provider: "cloud", phoneNumberId: number.phoneNumberId, token, graph: deps.graph };
  const windowOpen = subscriber?.conversationExpiresAt ? subscriber.conversationExpiresAt.getTime() > now.getTime() : false;
  if (windowOpen) return { send: { type: "text", to: row.phone, text: rendered.text }, sender, renderedText: rendered.text, subscriberId };
  if (template.metaTemplate) {
    return { send: { type: "template", to: row.phone, template: template.metaTemplate, values: variables }, sender, renderedText: rendered.text, subscriberId };
  }
  return stop("skipped", "outside_window", "Outside the 24-hour window, and the template has no approved Meta template bound");
}

/** What a provider's answer makes of the row. */
export function outcomeOf(row: OutboundRow, result: SendOutcome, now: Date, random: () => number = Math.random): { outcome: OutboundOutcome; tally: "sent" | "retried" | "failed" } {
  if (result.kind === "sent") {
    return { outcome: { status: "sent", providerMessageId: result.providerMessageId, sentAt: now, providerResponse: result.response, errorCode: null, errorMessage: null, nextAttemptAt: null }, tally: "sent" };
  }
  const error = { errorCode: result.code, errorMessage: result.message, providerResponse: result.response };
  if (result.kind === "transient" && row.attempts < DRIP_MAX_ATTEMPTS) {
    const wait = Math.max(result.retryAfterMs ?? 0, dripBackoffMs(row.attempts, random));
    return { outcome: { ...error, status: "pending", nextAttemptAt: new Date(now.getTime() + wait) }, tally: "retried" };
  }
  const message = result.kind === "transient" ? `${result.message} (gave up after ${row.attempts} attempts)` : result.message;
  return { outcome: { ...error, errorMessage: message, status: "failed", nextAttemptAt: null }, tally: "failed" };
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
 * One drip run. Batches are claimed until nothing is due or `budgetMs` is spent; each number's rows go
 * out at its `sendRatePerSecond` (default 20, at most 80), numbers in parallel. A run sends for a number
 * only while it holds that number's lease, so runs side by side (cron, ticker, parallel invocations)
 * share the numbers instead of adding up their rates.
 */
export async function runDrip(
  db: Db,
  deps: DripDeps,
  { now = () => new Date(), budgetMs = 50_000, batchSize = 500, leaseMs = 120_000, random = Math.random }: { now?: () => Date; budgetMs?: number; batchSize?: number; leaseMs?: number; random?: () => number } = {},
): Promise<DripResult> {
  const started = Date.now();
  const totals: DripResult = { claimed: 0, sent: 0, skipped: 0, failed: 0, retried: 0, cancelled: 0, tookMs: 0 };
  const pacers = new Map<string, () => Promise<void>>();
  const runId = randomUUID();
  try {
    while (Date.now() - started < budgetMs) {
      const rows = await claimDueOutbound(db, { now: now(), limit: batchSize, leaseMs, runId });
      if (rows.length === 0) break;
      totals.claimed += rows.length;
      const ctx = await loadDispatchContext(db, rows);
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
              await unclaimOutbound(db, list); // another run is sending for this number: its rows are left to it
              totals.claimed -= list.length;
              return;
            }
          }
          const rate = ctx.numbers.get(numberId)?.sendRatePerSecond ?? DEFAULT_SEND_RATE;
          const pace = pacers.get(numberId) ?? pacer(rate);
          pacers.set(numberId, pace);
          const inFlight = new Set<Promise<void>>();
          for (const row of list) {
            const d = decide(row, ctx, deps, now());
            if ("outcome" in d) {
              if (await finishOutbound(db, { id: row.id, attempts: row.attempts, outcome: d.outcome, now: now() })) totals[d.tally] += 1;
              continue;
            }
            await pace();
            const task = (async () => {
              const result = await sendThrough(d.sender, d.send);
              const at = now();
              const { outcome, tally } = outcomeOf(row, result, at, random);
              const done = await finishOutbound(db, { id: row.id, attempts: row.attempts, outcome: { ...outcome, renderedText: d.renderedText, subscriberId: d.subscriberId }, now: at });
              if (done) totals[tally] += 1;
            })();
            inFlight.add(task);
            void task.finally(() => inFlight.delete(task));
            if (inFlight.size >= 16) await Promise.race(inFlight);
          }
          await Promise.all(inFlight);
        }),
      );
    }
  } finally {
    await releaseNumberLeases(db, { runId });
  }
  totals.tookMs = Date.now() - started;
  return totals;
}
