// Sending one drip message, behind one interface for every provider: Meta's Cloud API (free text inside
// the 24 h window, the bound approved template outside it) and Green API (`sendMessage` to
// `<digits>@c.us`). Each answer is classified once: sent (with the provider's message id), a transient
// failure worth retrying, or a permanent one with the provider's code and message kept. What is kept of an
// answer (outbound_messages.provider_response, shown on the queue page) is only what the console shows: the
// message id, or the HTTP status with the error code and message, clipped to 500 characters.
import { z } from "zod";
import type { MetaTemplateBinding } from "@/db/schema";
import type { EgressPolicy } from "@/lib/egress";
import { phoneDigits } from "@/lib/phone";
import { type GraphConfig, type GraphFailure, describeGraphFailure, graphRequest } from "@/lib/graph/client";
import { SHOWN_TEXT_MAX, clip, greenEgressPolicy, greenErrorMessage, greenRequest } from "@/lib/whatsapp/green-client";

export type SendOutcome =
  | { kind: "sent"; providerMessageId: string; response: Record<string, unknown> }
  | { kind: "transient" | "permanent"; code: string; message: string; response: Record<string, unknown> | null; retryAfterMs?: number };

/** `replyTo`: the provider id of the message this one quotes (Cloud `context.message_id`, Green `quotedMessageId`). */
export type OutgoingMessage = (
  | { type: "text"; to: string; text: string; previewUrl?: boolean }
  | { type: "template"; to: string; template: MetaTemplateBinding; values: Record<string, string> }
  | { type: "media"; to: string; kind: "image" | "video" | "audio" | "document"; link: string; caption?: string; filename?: string }
) & { replyTo?: string };

export type CloudSender = { provider: "cloud"; phoneNumberId: string; token: string; graph: GraphConfig };
/** `egress`: Green's hosts plus the operator's GREEN_API_HOSTS; without it, Green's own hosts only. */
export type GreenSender = { provider: "green"; apiUrl: string; instanceId: string; token: string; timeoutMs?: number; egress?: EgressPolicy };
export type Sender = CloudSender | GreenSender;

/** Cloud API codes that clear up by themselves: throughput (130429), pair rate (131056), temporary errors. */
const CLOUD_TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131056, 133004]);

export function classifyCloudFailure(e: GraphFailure): { transient: boolean; code: string } {
  if (e.kind === "timeout" || e.kind === "network") return { transient: true, code: e.kind };
  if (e.kind !== "graph") return { transient: (e.httpStatus ?? 0) >= 500 || e.httpStatus === 429, code: e.httpStatus ? `http_${e.httpStatus}` : e.kind };
  const transient = e.httpStatus >= 500 || e.httpStatus === 429 || (e.code !== null && CLOUD_TRANSIENT_CODES.has(e.code));
  return { transient, code: e.code === null ? `http_${e.httpStatus}` : String(e.code) };
}

const cloudAnswer = z.looseObject({ messages: z.array(z.looseObject({ id: z.string() })).min(1) });

/** The Cloud API body: free text, or the bound template with its parameters filled from our variables. */
export function cloudMessageBody(m: OutgoingMessage): Record<string, unknown> {
  const context = m.replyTo ? { context: { message_id: m.replyTo } } : {};
  const head = { messaging_product: "whatsapp", recipient_type: "individual", to: m.to, ...context };
  if (m.type === "text") return { ...head, type: "text", text: { preview_url: m.previewUrl ?? false, body: m.text } };
  if (m.type === "media") {
    // audio takes no caption; a document keeps its file name
    const media: Record<string, unknown> = { link: m.link };
    if (m.caption && m.kind !== "audio") media.caption = m.caption;
    if (m.filename && m.kind === "document") media.filename = m.filename;
    return { ...head, type: m.kind, [m.kind]: media };
  }
  const named = m.template.parameters.some((p) => !/^\d+$/.test(p.key));
  const parameters = [...m.template.parameters]
    .sort((a, b) => (named ? 0 : Number(a.key) - Number(b.key)))
    .map((p) => ({ type: "text", text: m.values[p.variable] ?? "", ...(named ? { parameter_name: p.key } : {}) }));
  return {
    ...head,
    type: "template",
    template: {
      name: m.template.name,
      language: { code: m.template.language },
      ...(parameters.length > 0 ? { components: [{ type: "body", parameters }] } : {}),
    },
  };
}

async function sendCloud(s: CloudSender, m: OutgoingMessage): Promise<SendOutcome> {
  const res = await graphRequest(s.graph, {
    method: "POST",
    path: `${s.phoneNumberId}/messages`,
    token: s.token,
    body: cloudMessageBody(m),
    schema: cloudAnswer,
  });
  if (res.ok) return { kind: "sent", providerMessageId: res.data.messages[0]!.id, response: { messageId: clip(res.data.messages[0]!.id) } };
  const e = res.error;
  const { transient, code } = classifyCloudFailure(e);
  return {
    kind: transient ? "transient" : "permanent",
    code,
    message: clip(describeGraphFailure(e)),
    response: shownGraphFailure(e),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  };
}

const greenAnswer = z.looseObject({ idMessage: z.string().min(1) });

/** What the console shows of a Graph failure: status, code, subcode, type, message, details and trace id. */
function shownGraphFailure(e: GraphFailure): Record<string, unknown> {
  if (e.kind !== "graph") return { transport: e.kind, ...(e.httpStatus ? { httpStatus: e.httpStatus } : {}), message: clip(e.message) };
  const error: Record<string, unknown> = { code: e.code, message: clip(e.message) };
  if (e.subcode !== null) error.error_subcode = e.subcode;
  if (e.type) error.type = clip(e.type, 100);
  if (e.details) error.error_data = { details: clip(e.details) };
  if (e.fbtraceId) error.fbtrace_id = clip(e.fbtraceId, 100);
  return { error, httpStatus: e.httpStatus };
}

/** A file name for Green's sendFileByUrl (it requires one): the given one, else the link's last path segment. */
function greenFileName(m: Extract<OutgoingMessage, { type: "media" }>): string {
  if (m.filename) return m.filename;
  const last = decodeURIComponent(new URL(m.link).pathname.split("/").pop() ?? "");
  return last.includes(".") ? last.slice(0, 200) : m.kind;
}

/** Green API's method and body: sendMessage for text, sendFileByUrl for media (templates are Meta's). */
function greenCall(m: OutgoingMessage): { method: string; body: Record<string, unknown> } | null {
  const chatId = `${phoneDigits(m.to)}@c.us`;
  const quoted = m.replyTo ? { quotedMessageId: m.replyTo } : {};
  if (m.type === "text") return { method: "sendMessage", body: { chatId, message: m.text, ...quoted } };
  if (m.type === "media")
    return { method: "sendFileByUrl", body: { chatId, urlFile: m.link, fileName: greenFileName(m), ...(m.caption ? { caption: m.caption } : {}), ...quoted } };
  return null;
}

async function sendGreen(s: GreenSender, m: OutgoingMessage): Promise<SendOutcome> {
  const call = greenCall(m);
  if (!call) return { kind: "permanent", code: "unsupported", message: "Green API sends text and files only, not Meta templates", response: null };
  const res = await greenRequest(s.egress ?? greenEgressPolicy(), {
    apiUrl: s.apiUrl,
    instanceId: s.instanceId,
    token: s.token,
    method: call.method,
    httpMethod: "POST",
    body: call.body,
    timeoutMs: s.timeoutMs,
  });
  if (!res.ok) {
    const e = res.error;
    // a refused host or a redirect will not change by itself: the number's API URL has to be corrected
    const transient = e.kind === "timeout" || e.kind === "network";
    return {
      kind: transient ? "transient" : "permanent",
      code: e.kind,
      message: e.message,
      response: { transport: e.kind, ...(e.httpStatus ? { httpStatus: e.httpStatus } : {}), message: clip(e.message) },
    };
  }
  if (res.status >= 200 && res.status < 300) {
    const parsed = greenAnswer.safeParse(res.body);
    if (parsed.success) return { kind: "sent", providerMessageId: clip(parsed.data.idMessage, 200), response: { idMessage: clip(parsed.data.idMessage, 200) } };
    const message = res.truncated ? "Green API answered with a body too large to read" : "Green API answered without idMessage";
    return { kind: "transient", code: "bad_response", message, response: { httpStatus: res.status, message } };
  }
  const transient = res.status >= 500 || res.status === 429;
  const said = greenErrorMessage(res.body);
  const message = `Green API answered HTTP ${res.status}${said ? `: ${said}` : ""}`;
  return {
    kind: transient ? "transient" : "permanent",
    code: `http_${res.status}`,
    message,
    response: { httpStatus: res.status, ...(said ? { message: said } : {}) },
  };
}

const scalar = (v: unknown, max: number) => (typeof v === "string" ? clip(v, max) : typeof v === "number" || typeof v === "boolean" ? v : undefined);

function pick(from: Record<string, unknown>, keys: readonly string[], max = SHOWN_TEXT_MAX): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = scalar(from[k], max);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

type Shown = string | number | boolean;
/** shownProviderResponse's answer: each field only when the stored answer had it as a string (clipped), number or boolean. */
export type ShownProviderResponse = {
  messageId?: Shown;
  idMessage?: Shown;
  transport?: Shown;
  httpStatus?: Shown;
  code?: Shown;
  message?: Shown;
  error?: { code?: Shown; error_subcode?: Shown; type?: Shown; message?: Shown; fbtrace_id?: Shown; error_data?: { details: Shown } };
};

/**
 * What the console and the API show of a stored provider answer: the message id, the HTTP status, the error
 * code and message (and Graph's subcode, type, details and trace id), each clipped. Rows stored before answers
 * were trimmed may hold a provider's whole body; nothing else of it is shown.
 */
export function shownProviderResponse(stored: unknown): ShownProviderResponse | null {
  if (!stored || typeof stored !== "object" || Array.isArray(stored)) return null;
  const v = stored as Record<string, unknown>;
  const out = pick(v, ["messageId", "idMessage", "transport", "httpStatus", "code", "message"]);
  const messages = v.messages;
  if (out.messageId === undefined && Array.isArray(messages) && messages[0] && typeof messages[0] === "object") {
    const id = scalar((messages[0] as Record<string, unknown>).id, 200);
    if (id !== undefined) out.messageId = id;
  }
  if (v.error && typeof v.error === "object" && !Array.isArray(v.error)) {
    const e = v.error as Record<string, unknown>;
    const error = pick(e, ["code", "error_subcode", "type", "message", "fbtrace_id"]);
    const details = e.error_data && typeof e.error_data === "object" ? scalar((e.error_data as Record<string, unknown>).details, SHOWN_TEXT_MAX) : undefined;
    if (details !== undefined) error.error_data = { details };
    if (Object.keys(error).length > 0) out.error = error;
  }
  return Object.keys(out).length > 0 ? (out as ShownProviderResponse) : null;
}

/** Sends one message through the number's provider. Never throws. */
export async function sendThrough(sender: Sender, m: OutgoingMessage): Promise<SendOutcome> {
  try {
    return sender.provider === "cloud" ? await sendCloud(sender, m) : await sendGreen(sender, m);
  } catch (e) {
    return { kind: "transient", code: "internal", message: e instanceof Error ? e.message : String(e), response: null };
  }
}
