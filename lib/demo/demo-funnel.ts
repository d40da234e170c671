// The demo funnel: leads with their drip queue (one row per lead × matching active template), and
// conversions forwarded (or not yet, or refused) to Meta's Conversions API.
import { randomUUID } from "node:crypto";
import type { NewConversation, NewConversion, NewLead, NewMessage, NewOutboundMessage, NewSubscriber, NewTemplate, OUTBOUND_STATUSES } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto";
import { type AdConversation, type BuiltNumber, type Ctx, DAY, HOUR, MIN, newPhone, type SubPlan, wamid } from "./demo-audience";
import { B64URL, HEX, renderTemplate, russianName, type Segment, SEGMENT_VARIABLES } from "./demo-content";

type TemplateRow = NewTemplate & { id: string; delayDays: number; delayHours: number };
type LeadPlan = { row: NewLead & { id: string }; digits: string; cloud: boolean; enrolledMs: number | null; stoppedMs: number | null };
type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

const SKIP_REASON = "outside the 24 h window and no approved template bound";
const SEND_ERRORS = {
  "131047": {
    title: "Re-engagement message",
    details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  },
  "131026": { title: "Message undeliverable", details: "Message undeliverable: the recipient may not be on WhatsApp or has not accepted the current terms." },
} as const;
const at = (ms: number) => new Date(ms);
const fbtrace = (ctx: Ctx) => `A${ctx.rng.chars(22, B64URL)}`;

export function buildLeads(ctx: Ctx, plans: SubPlan[], numbers: BuiltNumber[], templateRows: TemplateRow[], size = 60) {
  const { rng } = ctx;
  const used = new Set(plans.map((p) => p.digits));
  const linkable = plans.filter((p) => p.fate === "active" && p.country.code === "RU");
  const green = numbers[2] as BuiltNumber;
  const leadPlans: LeadPlan[] = [];
  for (let i = 0; i < size; i++) {
    const sub = i % 5 < 2 ? linkable.splice(rng.int(0, linkable.length - 1), 1)[0] : undefined;
    const forceEnrolled = i >= size - 3; // a few fresh enrolments, so the queue always has pending rows
    leadPlans.push(planLead(ctx, i, sub, sub ? (numbers[sub.numberIdx] as BuiltNumber) : green, used, forceEnrolled));
  }
  const outbound = leadPlans.flatMap((lead) => queueFor(ctx, lead, templateRows));
  ensureFailure(ctx, outbound);
  for (const lead of leadPlans) {
    const sent = outbound.filter((o) => o.leadId === lead.row.id && o.sentAt).map((o) => (o.sentAt as Date).getTime());
    if (sent.length > 0) lead.row.lastWhatsappSentAt = at(Math.max(...sent));
  }
  return { leads: leadPlans.map((l) => l.row), outbound };
}

function planLead(ctx: Ctx, i: number, sub: SubPlan | undefined, number: BuiltNumber, used: Set<string>, forceEnrolled: boolean): LeadPlan {
  const { rng, nowMs } = ctx;
  const digits = sub?.digits ?? newPhone(ctx, used).digits;
  const createdMs = forceEnrolled
    ? nowMs - rng.int(3 * HOUR, 2 * DAY)
    : sub
      ? Math.min(sub.firstSeenMs + rng.int(10 * MIN, 6 * HOUR), nowMs - 30 * MIN)
      : nowMs - rng.int(30 * MIN, 30 * DAY);
  const callStatus = forceEnrolled
    ? "called"
    : createdMs > nowMs - 6 * HOUR
      ? "not_called"
      : rng.weighted([
          ["called", 60],
          ["no_answer", 20],
          ["not_called", 20],
        ] as const);
  const isTarget = callStatus === "called" ? forceEnrolled || rng.chance(0.7) : null;
  const enrolledMs = isTarget ? Math.min(createdMs + rng.int(20 * MIN, 20 * HOUR), nowMs - 10 * MIN) : null;
  const stoppedMs =
    enrolledMs !== null && !forceEnrolled && enrolledMs < nowMs - 2 * DAY && rng.chance(0.15)
      ? enrolledMs + rng.int(1.2 * DAY, Math.min(6 * DAY, nowMs - enrolledMs))
      : null;
  const segment: Segment = sub?.segment ?? (rng.chance(0.55) ? "acting" : "oratory");
  const source = sub
    ? rng.pick(["console", "instagram"])
    : rng.weighted([
        ["website", 75],
        ["instagram", 15],
        ["console", 10],
      ] as const);
  const name = sub?.name && sub.lang === "ru" && /^[А-ЯЁ]/.test(sub.name) ? (sub.name.split(" ")[0] as string) : russianName(rng, rng.chance(0.35));
  const updatedMs = Math.max(createdMs, stoppedMs ?? enrolledMs ?? createdMs);
  return {
    digits,
    cloud: number.row.provider === "cloud",
    enrolledMs,
    stoppedMs,
    row: {
      id: randomUUID(),
      tenantId: ctx.tenantId,
      name,
      phone: `+${digits}`,
      segment,
      source,
      externalRef: source === "website" ? `form-${100_481 + i * 7}` : null,
      callStatus,
      isTarget,
      campaignActive: enrolledMs !== null && stoppedMs === null,
      enrolledAt: enrolledMs === null ? null : at(enrolledMs),
      subscriberId: sub?.id ?? null,
      numberId: number.row.id,
      createdAt: at(createdMs),
      updatedAt: at(updatedMs),
    },
  };
}

/** One row per active template of the lead's segment, with the fate the drain would have given it by now. */
function queueFor(ctx: Ctx, lead: LeadPlan, templateRows: TemplateRow[]): (NewOutboundMessage & { id: string })[] {
  const { rng, nowMs } = ctx;
  if (lead.enrolledMs === null) return [];
  const segment = lead.row.segment as Segment;
  const vars = { name: lead.row.name, ...SEGMENT_VARIABLES[segment] };
  const matching = templateRows.filter((t) => t.active && (t.segment === null || t.segment === segment));
  return matching.map((t) => {
    const scheduledMs = (lead.enrolledMs as number) + t.delayDays * DAY + t.delayHours * HOUR;
    const row = {
      id: randomUUID(),
      tenantId: ctx.tenantId,
      leadId: lead.row.id,
      subscriberId: lead.row.subscriberId,
      numberId: lead.row.numberId,
      phone: lead.row.phone,
      templateId: t.id,
      templateName: t.name,
      renderedText: renderTemplate(t.content, vars),
      scheduledAt: at(scheduledMs),
      createdAt: at(lead.enrolledMs as number),
      updatedAt: at(Math.min(scheduledMs, nowMs)),
    };
    let status: OutboundStatus;
    if (lead.stoppedMs !== null && scheduledMs > lead.stoppedMs) status = "cancelled";
    else if (scheduledMs > nowMs) status = "pending";
    else if (!lead.cloud) status = "sent";
    else
      status = rng.weighted([
        ["sent", 70],
        ["failed", 14],
        ["skipped", t.metaTemplate ? 0 : 16],
      ] as const);
    if (status === "cancelled") return { ...row, status, errorMessage: "campaign stopped by a manager", updatedAt: at(lead.stoppedMs as number) };
    if (status === "pending") return { ...row, status };
    if (status === "skipped") return { ...row, status, errorMessage: SKIP_REASON };
    if (status === "failed") return { ...row, ...failure(ctx, t.metaTemplate ? "131026" : rng.pick(["131047", "131026"] as const), scheduledMs) };
    return { ...row, ...sent(ctx, lead, scheduledMs) };
  });
}

function sent(ctx: Ctx, lead: LeadPlan, scheduledMs: number) {
  const { rng, nowMs } = ctx;
  const sentMs = Math.min(scheduledMs + rng.int(0, 25) * MIN + rng.int(0, 59_000), nowMs - MIN);
  const deliveredMs = rng.chance(0.85) ? sentMs + rng.int(2, 180) * 1000 : null;
  const readMs = deliveredMs !== null && rng.chance(0.6) ? deliveredMs + rng.int(1, 360) * MIN : null;
  const id = lead.cloud ? wamid(ctx, lead.digits, true) : `BAE5${rng.chars(12, HEX).toUpperCase()}`;
  return {
    status: "sent" as const,
    attempts: rng.chance(0.1) ? 2 : 1,
    providerMessageId: id,
    sentAt: at(sentMs),
    deliveredAt: deliveredMs === null || deliveredMs > nowMs ? null : at(deliveredMs),
    readAt: readMs === null || readMs > nowMs ? null : at(readMs),
    providerResponse: lead.cloud
      ? { messaging_product: "whatsapp", contacts: [{ input: lead.digits, wa_id: lead.digits }], messages: [{ id, message_status: "accepted" }] }
      : { idMessage: id },
    updatedAt: at(sentMs),
  };
}

function failure(ctx: Ctx, code: keyof typeof SEND_ERRORS, scheduledMs: number) {
  const err = SEND_ERRORS[code];
  const atMs = Math.min(scheduledMs + ctx.rng.int(0, 25) * MIN, ctx.nowMs - MIN);
  return {
    status: "failed" as const,
    attempts: 1,
    errorCode: code,
    errorMessage: `(#${code}) ${err.title}`,
    updatedAt: at(atMs),
    providerResponse: {
      error: {
        message: `(#${code}) ${err.title}`,
        type: "OAuthException",
        code: Number(code),
        error_data: { messaging_product: "whatsapp", details: err.details },
        fbtrace_id: fbtrace(ctx),
      },
    },
  };
}

/** The demo promises a failed row in the monitor: turn the oldest sent Cloud row into a 131026 if chance gave none. */
function ensureFailure(ctx: Ctx, rows: (NewOutboundMessage & { id: string })[]): void {
  if (rows.some((r) => r.status === "failed")) return;
  const victim =
    rows.find((r) => r.status === "sent" && r.providerResponse && "messaging_product" in r.providerResponse) ?? rows.find((r) => r.status === "sent");
  if (!victim) return;
  Object.assign(victim, { providerMessageId: null, sentAt: null, deliveredAt: null, readAt: null }, failure(ctx, "131026", victim.scheduledAt.getTime()));
}

type Outbound = NewOutboundMessage & { id: string };

/**
 * What the drip's sends left besides the queue, as the real pipeline leaves it (finishOutbounds): one outbound
 * messages row per sent row of a known subscriber, in the number's conversation whose window was open then (free
 * text; a Cloud number outside the window sent the bound approved template), with the statuses the row has.
 */
export function buildDripMessages(
  outbound: Outbound[],
  templateRows: TemplateRow[],
  conversations: (NewConversation & { id: string; windowExpiresAt: Date })[],
  numbers: BuiltNumber[],
): (NewMessage & { id: string; providerTimestamp: Date })[] {
  return outbound.flatMap((o) => {
    if (o.status !== "sent" || !o.subscriberId || !o.numberId || !o.providerMessageId || !o.sentAt) return [];
    const sentAt = o.sentAt;
    const open = conversations
      .filter((c) => c.subscriberId === o.subscriberId && c.numberId === o.numberId && c.startedAt <= sentAt)
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
    const conversationId = open && open.windowExpiresAt > sentAt ? open.id : null;
    const meta = templateRows.find((t) => t.id === o.templateId)?.metaTemplate;
    const cloud = numbers.find((n) => n.row.id === o.numberId)?.row.provider === "cloud";
    const template = cloud && !conversationId && meta ? { name: meta.name, language: meta.language } : null;
    const type = template ? "template" : "text";
    return [
      {
        id: randomUUID(),
        tenantId: o.tenantId,
        subscriberId: o.subscriberId,
        numberId: o.numberId,
        conversationId,
        direction: "outbound" as const,
        wamid: o.providerMessageId,
        type,
        textPreview: o.renderedText,
        payload: { type, ...(template ? { template } : {}), drip_outbound_id: o.id, drip_template_id: o.templateId, drip_template_name: o.templateName },
        status: o.readAt ? "read" : o.deliveredAt ? "delivered" : "sent",
        sentAt,
        deliveredAt: o.deliveredAt ?? o.readAt ?? null,
        readAt: o.readAt ?? null,
        providerTimestamp: sentAt,
        createdAt: sentAt,
        updatedAt: o.updatedAt ?? sentAt,
      },
    ];
  });
}

/** The drip's sends on their subscribers' outbound counters, last outbound message and delivered/read times. */
export function countDripSends(subscriberRows: NewSubscriber[], sends: (NewMessage & { providerTimestamp: Date })[]): void {
  const byId = new Map(subscriberRows.map((s) => [s.id, s]));
  const later = (a: Date | null | undefined, b: Date | null | undefined) => (a && b ? (a > b ? a : b) : (a ?? b ?? null));
  for (const m of [...sends].sort((a, b) => a.providerTimestamp.getTime() - b.providerTimestamp.getTime())) {
    const s = byId.get(m.subscriberId);
    if (!s) continue;
    s.outboundCount = (s.outboundCount ?? 0) + 1;
    if (!s.lastOutboundAt || m.providerTimestamp >= s.lastOutboundAt) Object.assign(s, { lastOutboundAt: m.providerTimestamp, lastOutboundMessageId: m.wamid });
    Object.assign(s, { lastDeliveredAt: later(s.lastDeliveredAt, m.deliveredAt), lastReadAt: later(s.lastReadAt, m.readAt) });
  }
}

/** ~40 conversions on ad-attributed conversations: mostly sent, the newest still queued, one failed, one rejected. */
export function buildConversions(ctx: Ctx, adConversations: AdConversation[], numbers: BuiltNumber[], size = 40): NewConversion[] {
  const { rng, nowMs } = ctx;
  const shuffled = adConversations
    .map((c) => ({ c, k: rng.next() }))
    .sort((a, b) => a.k - b.k)
    .slice(0, size)
    .map((x) => x.c);
  const events = shuffled
    .map((c) => ({ c, eventMs: Math.min(c.row.startedAt.getTime() + rng.int(5 * MIN, 2 * DAY), nowMs - 2 * MIN) }))
    .sort((a, b) => b.eventMs - a.eventMs);
  return events.map(({ c, eventMs }, i) => {
    const status = i < 3 ? "queued" : i === 6 ? "failed" : i === 11 ? "rejected" : "sent";
    const purchase = c.plan.lifecycle === "customer" || c.plan.lifecycle === "repeat_customer";
    const eventName = status === "rejected" ? "InitiateCheckout" : purchase ? "Purchase" : "LeadSubmitted";
    const rub = c.plan.country.code === "RU" || c.plan.country.code === "UA";
    const value = eventName === "Purchase" ? (rub ? (c.plan.segment === "acting" ? 36000 : 32000) : 490) : null;
    const currency = value === null ? null : rub ? "RUB" : "USD";
    const contentIds = value === null ? null : [`course_${c.plan.segment}_2m`];
    const eventId = purchase ? `order-${20_417 + i * 3}` : `amo-lead-${2_400_913 + i * 11}`;
    const number = numbers.find((n) => n.row.id === c.row.numberId) as BuiltNumber;
    const eventTime = Math.floor(eventMs / 1000);
    const externalIdHash = rng.chance(0.6) ? sha256Hex(eventId.toLowerCase()) : null;
    const request = { accountId: number.row.id, eventName, eventTime, eventId, conversationId: c.row.id, value, currency, contentIds };
    const requestPayload = {
      data: [
        {
          event_name: eventName,
          event_time: eventTime,
          event_id: eventId,
          action_source: "business_messaging",
          messaging_channel: "whatsapp",
          user_data: {
            whatsapp_business_account_id: number.row.wabaId,
            ctwa_clid: c.row.ctwaClid,
            ...(externalIdHash ? { external_id: [externalIdHash] } : {}),
          },
          ...(value === null ? {} : { custom_data: { currency, value, content_ids: contentIds } }),
        },
      ],
    };
    const trace = fbtrace(ctx);
    const createdAt = at(eventMs + rng.int(1, 20) * 1000);
    const tried = at(createdAt.getTime() + rng.int(1, 5) * 1000);
    const base = {
      tenantId: ctx.tenantId,
      numberId: number.row.id,
      eventId,
      eventName,
      eventTime: at(eventMs),
      requestHash: sha256Hex(JSON.stringify(request)),
      conversationId: c.row.id,
      subscriberId: c.plan.id,
      ctwaClid: c.row.ctwaClid,
      value: value === null ? null : value.toFixed(2),
      currency,
      contentIds,
      externalIdHash,
      requestPayload,
      createdAt,
      updatedAt: createdAt,
    };
    if (status === "queued") return { ...base, status };
    if (status === "sent") {
      return {
        ...base,
        status,
        attempts: 1,
        lastAttemptAt: tried,
        sentAt: tried,
        eventsReceived: 1,
        fbtraceId: trace,
        response: { events_received: 1, messages: [], fbtrace_id: trace },
        updatedAt: tried,
      };
    }
    const error =
      status === "rejected"
        ? {
            message: "Invalid parameter",
            type: "OAuthException",
            code: 100,
            error_subcode: 2804066,
            error_user_title: "Messaging Event Invalid Event Type",
            error_user_msg: "The event name is not supported for business_messaging events.",
            fbtrace_id: trace,
          }
        : {
            message: "An unexpected error has occurred. Please retry your request later.",
            type: "OAuthException",
            code: 2,
            is_transient: true,
            fbtrace_id: trace,
          };
    const last = at(status === "failed" ? Math.max(tried.getTime(), Math.min(tried.getTime() + 2 * HOUR, nowMs - MIN)) : tried.getTime());
    return { ...base, status, attempts: status === "failed" ? 5 : 1, lastAttemptAt: last, fbtraceId: trace, response: { error }, updatedAt: last };
  });
}
