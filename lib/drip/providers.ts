// Sending one drip message, behind one interface for every provider: Meta's Cloud API (free text inside
// the 24 h window, the bound approved template outside it) and Green API (`sendMessage` to
// `<digits>@c.us`). Each answer is classified once: sent (with the provider's message id), a transient
// failure worth retrying, or a permanent one with the provider's code and message kept.
import { z } from "zod";
import type { MetaTemplateBinding } from "@/db/schema";
import { phoneDigits } from "@/lib/phone";
import { type GraphConfig, type GraphFailure, describeGraphFailure, graphRequest, transportFailure } from "@/lib/whatsapp/graph-client";

export type SendOutcome =
  | { kind: "sent"; providerMessageId: string; response: Record<string, unknown> }
  | { kind: "transient" | "permanent"; code: string; message: string; response: Record<string, unknown> | null; retryAfterMs?: number };

export type OutgoingMessage =
  | { type: "text"; to: string; text: string }
  | { type: "template"; to: string; template: MetaTemplateBinding; values: Record<string, string> };

export type CloudSender = { provider: "cloud"; phoneNumberId: string; token: string; graph: GraphConfig };
export type GreenSender = { provider: "green"; apiUrl: string; instanceId: string; token: string; timeoutMs?: number; fetch?: typeof fetch };
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
  if (m.type === "text") return { messaging_product: "whatsapp", recipient_type: "individual", to: m.to, type: "text", text: { preview_url: false, body: m.text } };
  const named = m.template.parameters.some((p) => !/^\d+$/.test(p.key));
  const parameters = [...m.template.parameters]
    .sort((a, b) => (named ? 0 : Number(a.key) - Number(b.key)))
    .map((p) => ({ type: "text", text: m.values[p.variable] ?? "", ...(named ? { parameter_name: p.key } : {}) }));
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: m.to,
    type: "template",
    template: { name: m.template.name, language: { code: m.template.language }, ...(parameters.length > 0 ? { components: [{ type: "body", parameters }] } : {}) },
  };
}

async function sendCloud(s: CloudSender, m: OutgoingMessage): Promise<SendOutcome> {
  const res = await graphRequest(s.graph, { method: "POST", path: `${s.phoneNumberId}/messages`, token: s.token, body: cloudMessageBody(m), schema: cloudAnswer });
  if (res.ok) return { kind: "sent", providerMessageId: res.data.messages[0]!.id, response: res.data };
  const e = res.error;
  const { transient, code } = classifyCloudFailure(e);
  return {
    kind: transient ? "transient" : "permanent",
    code,
    message: describeGraphFailure(e),
    response: e.kind === "graph" ? { error: e.raw ?? { code: e.code, message: e.message }, httpStatus: e.httpStatus } : { transport: e.kind, message: e.message },
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  };
}

const greenAnswer = z.looseObject({ idMessage: z.string() });

async function sendGreen(s: GreenSender, m: OutgoingMessage): Promise<SendOutcome> {
  if (m.type !== "text") return { kind: "permanent", code: "unsupported", message: "Green API sends text only", response: null };
  const url = `${s.apiUrl.replace(/\/+$/, "")}/waInstance${s.instanceId}/sendMessage/${s.token}`;
  const timeoutMs = s.timeoutMs ?? 10_000;
  let res: Response;
  let text = "";
  try {
    res = await (s.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chatId: `${phoneDigits(m.to)}@c.us`, message: m.text }),
      signal: AbortSignal.timeout(timeoutMs),
      cache: "no-store",
    });
    text = await res.text();
  } catch (e) {
    const t = transportFailure(e, timeoutMs, "Green API");
    return { kind: "transient", code: t.kind, message: t.message, response: null };
  }
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { text: text.slice(0, 500) };
  }
  const response = (body && typeof body === "object" ? body : { body }) as Record<string, unknown>;
  if (res.ok) {
    const parsed = greenAnswer.safeParse(body);
    if (parsed.success) return { kind: "sent", providerMessageId: parsed.data.idMessage, response };
    return { kind: "transient", code: "bad_response", message: "Green API answered without idMessage", response };
  }
  const transient = res.status >= 500 || res.status === 429;
  const message = `Green API answered HTTP ${res.status}${typeof response.message === "string" ? `: ${response.message}` : ""}`;
  return { kind: transient ? "transient" : "permanent", code: `http_${res.status}`, message, response };
}

/** Sends one message through the number's provider. Never throws. */
export async function sendThrough(sender: Sender, m: OutgoingMessage): Promise<SendOutcome> {
  try {
    return sender.provider === "cloud" ? await sendCloud(sender, m) : await sendGreen(sender, m);
  } catch (e) {
    return { kind: "transient", code: "internal", message: e instanceof Error ? e.message : String(e), response: null };
  }
}
