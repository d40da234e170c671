// Sending a pending inbox reply through its number's provider (lib/drip/providers.ts: the drip's Cloud API and
// Green API senders and their answer classification), once: the request runs its job right after answering, and
// the jobs queue runs it when the request never did (the job is due a minute after the reply). A job claimed a
// second time means an earlier run may have reached the provider without recording it: the reply fails as
// send_unconfirmed instead of going out twice, and a person retries it if the customer did not get it.
import { z } from "zod";
import type { Db } from "@/db/client";
import { getMessageById, getNumberById, getSubscriberById, type MessageRow, type NumberRow, type SubscriberRow } from "@/db/queries";
import { recordReplyFailed, recordReplySent, REPLY_JOB } from "@/db/queries/replies";
import { openSecret } from "@/lib/crypto";
import { type OutgoingMessage, type Sender, sendThrough } from "@/lib/drip/providers";
import type { EgressPolicy } from "@/lib/egress";
import { getEnv } from "@/lib/env";
import type { GraphConfig } from "@/lib/graph/client";
import { type JobHandler, runJobNow } from "@/lib/jobs/queue";
import { clip, greenEgressPolicy } from "@/lib/whatsapp/green-client";

export type ReplyDeps = { encryptionKey: string; graph: GraphConfig; greenEgress: EgressPolicy; greenTimeoutMs?: number };

export function replyDepsFromEnv(): ReplyDeps {
  const env = getEnv();
  return {
    encryptionKey: env.ENCRYPTION_KEY,
    graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION },
    greenEgress: greenEgressPolicy(env.GREEN_API_HOSTS),
  };
}

export const SEND_UNCONFIRMED_REPLY =
  "An earlier attempt to send this reply stopped before the provider answered: it may have reached the customer, so it is not sent again by itself. Retry it if they did not get it.";

const jobPayload = z.object({ tenantId: z.uuid(), messageId: z.uuid() });

const record = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The message to send, read back from the reply's stored payload (lib/inbox/send.ts payloadOf). */
export function outgoingOf(message: Pick<MessageRow, "type" | "payload">, to: string): OutgoingMessage | null {
  const p = record(message.payload);
  const replyTo = str(record(p.context).id);
  const quote = replyTo ? { replyTo } : {};
  if (message.type === "text") {
    const text = str(record(p.text).body);
    return text ? { type: "text", to, text, previewUrl: /https?:\/\//i.test(text), ...quote } : null;
  }
  if (message.type === "template") {
    const t = record(p.template);
    const parameters = Array.isArray(t.parameters) ? t.parameters.map(String) : [];
    const keys = Array.isArray(t.keys) ? t.keys.map(String) : [];
    const name = str(t.name);
    const language = str(t.language);
    if (!name || !language || keys.length !== parameters.length) return null;
    return {
      type: "template",
      to,
      template: { name, language, parameters: keys.map((key, i) => ({ key, variable: String(i) })) },
      values: Object.fromEntries(parameters.map((v, i) => [String(i), v])),
      ...quote,
    };
  }
  if (message.type === "image" || message.type === "video" || message.type === "audio" || message.type === "document") {
    const m = record(p[message.type]);
    const link = str(m.link);
    if (!link) return null;
    return { type: "media", to, kind: message.type, link, caption: str(m.caption), filename: str(m.filename), ...quote };
  }
  return null;
}

type Prepared = { sender: Sender; send: OutgoingMessage } | { refusal: { code: string; message: string } };

/** What the request that stored a reply already read: its send needs no second look at them. */
export type ReplyContext = {
  message: Pick<MessageRow, "id" | "tenantId" | "subscriberId" | "numberId" | "type" | "payload">;
  number: NumberRow | null;
  subscriber: Pick<SubscriberRow, "waPhone" | "waId"> | null;
};

async function prepare(db: Db, deps: ReplyDeps, message: ReplyContext["message"], known?: ReplyContext): Promise<Prepared> {
  const refuse = (code: string, text: string): Prepared => ({ refusal: { code, message: text } });
  const [number, subscriber] = known
    ? [known.number, known.subscriber]
    : await Promise.all([
        message.numberId ? getNumberById(db, { tenantId: message.tenantId, id: message.numberId }) : null,
        getSubscriberById(db, { tenantId: message.tenantId, id: message.subscriberId }),
      ]);
  if (!number) return refuse("no_number", "The number of this chat was deleted");
  if (number.demo) return refuse("demo_number", `${number.label} is a demo number: nothing is sent through it`);
  if (!number.active) return refuse("number_inactive", `${number.label} is inactive`);
  const to = subscriber?.waPhone ?? (subscriber?.waId ? `+${subscriber.waId}` : null);
  if (!to) return refuse("no_recipient", "The subscriber has no WhatsApp phone number");
  const send = outgoingOf(message, to);
  if (!send) return refuse("unreadable", "The stored reply cannot be read back");
  if (number.provider === "cloud") {
    const token = openSecret(number.accessTokenEnc, deps.encryptionKey);
    if (!token || !number.phoneNumberId) return refuse("not_configured", `${number.label}: the access token cannot be read`);
    return { sender: { provider: "cloud", phoneNumberId: number.phoneNumberId, token, graph: deps.graph }, send };
  }
  if (number.provider === "green") {
    const token = openSecret(number.greenTokenEnc, deps.encryptionKey);
    if (!token || !number.greenApiUrl || !number.greenInstanceId)
      return refuse("not_configured", `${number.label}: the Green API instance or token cannot be read`);
    const sender: Sender = {
      provider: "green",
      apiUrl: number.greenApiUrl,
      instanceId: number.greenInstanceId,
      token,
      timeoutMs: deps.greenTimeoutMs,
      egress: deps.greenEgress,
    };
    return { sender, send };
  }
  return refuse("unsupported_provider", `${number.label}: replying through ${number.provider} is not supported`);
}

/**
 * Sends one pending reply and records the outcome on it: `accepted` (Cloud API: Meta's status webhooks move it on
 * by its wamid) or `sent` (Green API) with the provider's id, else `failed` with the provider's code and message.
 * `attempt` > 1: an earlier run was claimed and never recorded, so it fails as send_unconfirmed without a send.
 */
export async function sendPendingReply(
  db: Db,
  deps: ReplyDeps,
  {
    tenantId,
    id,
    attempt,
    now,
    known,
    job,
  }: { tenantId: string; id: string; attempt: number; now: () => Date; known?: ReplyContext; job?: { id: string; attempts: number } },
): Promise<{ result: Record<string, unknown>; recorded: boolean }> {
  // a reply the request just stored is pending (its job's claim proves nobody else ran it): no need to read it back
  let message: ReplyContext["message"];
  if (known) message = known.message;
  else {
    const stored = await getMessageById(db, { tenantId, id });
    if (!stored || stored.status !== "pending") return { result: { skipped: stored?.status ?? "deleted" }, recorded: false };
    message = stored;
  }
  if (attempt > 1) {
    await recordReplyFailed(db, { tenantId, id, code: "send_unconfirmed", message: SEND_UNCONFIRMED_REPLY, now: now() });
    return { result: { failed: "send_unconfirmed" }, recorded: false };
  }
  const prepared = await prepare(db, deps, message, known);
  if ("refusal" in prepared) {
    await recordReplyFailed(db, { tenantId, id, ...prepared.refusal, now: now() });
    return { result: { failed: prepared.refusal.code }, recorded: false };
  }
  const outcome = await sendThrough(prepared.sender, prepared.send);
  if (outcome.kind === "sent") {
    const status = prepared.sender.provider === "cloud" ? "accepted" : "sent";
    // the job is finished in the same statement that records the send
    const moved = await recordReplySent(db, { tenantId, id, wamid: outcome.providerMessageId, status, now: now(), job });
    return { result: { sent: outcome.providerMessageId }, recorded: moved && job !== undefined };
  }
  await recordReplyFailed(db, { tenantId, id, code: outcome.code, message: clip(outcome.message), now: now() });
  return { result: { failed: outcome.code }, recorded: false };
}

/** The jobs queue's side (scheduled work): a reply whose request never ran its send. */
export function replyJobHandler(db: Db, deps: ReplyDeps, known?: ReplyContext): JobHandler {
  return async (job) => {
    const { tenantId, messageId } = jobPayload.parse(job.payload);
    const { result, recorded } = await sendPendingReply(db, deps, {
      tenantId,
      id: messageId,
      attempt: job.attempts,
      now: () => new Date(),
      known: known?.message.id === messageId ? known : undefined,
      job: { id: job.id, attempts: job.attempts },
    });
    return { ok: true, result, recorded };
  };
}

/** The request's side: runs the reply's job now, unless someone else already claimed it; `known` spares reading back what the request read. */
export async function deliverReplyNow(db: Db, deps: ReplyDeps, { messageId, known }: { messageId: string; known?: ReplyContext }) {
  return runJobNow(db, { kind: REPLY_JOB, dedupeKey: messageId, handlers: { [REPLY_JOB]: replyJobHandler(db, deps, known) } });
}
