// The demo audience: subscribers, their conversations (ad / post / organic) and messages, built in
// memory with counters that agree with the messages they summarise.
import { randomUUID } from "node:crypto";
import type { LIFECYCLE_STATES, NewAd, NewConversation, NewMessage, NewSubscriber, NewWhatsappNumber } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto";
import {
  type Ad,
  ADS,
  B64URL,
  COUNTRIES,
  type Country,
  EN_NAMES,
  HEX,
  INBOUND,
  type Lang,
  LATIN_RU,
  MESSAGE_ERRORS,
  OUTBOUND,
  OUTBOUND_BUTTONS,
  POSTS,
  type Rng,
  russianName,
  type Segment,
  TAGS,
} from "./demo-content";

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
const DIGITS = "0123456789";

export type Ctx = { rng: Rng; tenantId: string; nowMs: number; salt: string; seq: number };
export type BuiltNumber = { row: NewWhatsappNumber & { id: string }; appSecret: string | null; digits: string };
export type SubPlan = {
  id: string;
  digits: string;
  country: Country;
  lang: Lang;
  name: string | null;
  segment: Segment;
  numberIdx: 0 | 1;
  fate: "active" | "opted_out" | "blocked";
  lifecycle: (typeof LIFECYCLE_STATES)[number];
  firstSeenMs: number;
};
type ConvRow = NewConversation & { id: string; startedAt: Date; lastMessageAt: Date; windowExpiresAt: Date };
type MsgRow = NewMessage & { id: string; providerTimestamp: Date };
type Built = { row: ConvRow; msgs: MsgRow[]; ad: Ad | null };
export type AdConversation = { row: ConvRow; plan: SubPlan; ad: Ad };
export type InboundRef = { payload: Record<string, unknown>; at: number; plan: SubPlan };

const at = (ms: number) => new Date(ms);

/** A Cloud-API-shaped wamid (base64 of phone + message id); the tenant salt keeps it unique. */
export function wamid(ctx: Ctx, waId: string, outbound: boolean): string {
  const seq = (ctx.seq++).toString(16).padStart(6, "0");
  const id = `${outbound ? "" : "3A"}${ctx.salt}${seq}${ctx.rng.chars(6, HEX)}`.toUpperCase();
  const head = [0x1c, 0x18, waId.length];
  const mid = [0x15, 0x02, 0x00, outbound ? 0x11 : 0x12, 0x18, id.length];
  return `wamid.${Buffer.concat([Buffer.from(head), Buffer.from(waId), Buffer.from(mid), Buffer.from(id), Buffer.from([0])]).toString("base64")}`;
}

export function newPhone(ctx: Ctx, used: Set<string>): { digits: string; country: Country } {
  for (;;) {
    const country = ctx.rng.weighted(COUNTRIES.map((c) => [c, c.weight] as const));
    const digits = country.prefix + ctx.rng.pick(country.heads) + ctx.rng.chars(country.rest, DIGITS);
    if (!used.has(digits)) {
      used.add(digits);
      return { digits, country };
    }
  }
}

/** `avoid`: phones (digits) the workspace already has subscribers for. */
export function buildAudience(ctx: Ctx, numbers: BuiltNumber[], avoid: Set<string>, size = 300) {
  const used = new Set([...numbers.map((n) => n.digits), ...avoid]);
  const out = {
    plans: [] as SubPlan[],
    subscribers: [] as NewSubscriber[],
    conversations: [] as ConvRow[],
    messages: [] as MsgRow[],
    inbound: [] as InboundRef[],
    adConversations: [] as AdConversation[],
    ads: [] as NewAd[],
  };
  for (let i = 0; i < size; i++) {
    // fixed shares rather than dice: 3% opted out, 1% blocked
    const fate = [13, 47, 81].includes(i % 100) ? "opted_out" : i % 100 === 64 ? "blocked" : "active";
    const plan = planSubscriber(ctx, used, fate);
    const number = numbers[plan.numberIdx] as BuiltNumber;
    const thread = buildThread(ctx, plan, number);
    out.plans.push(plan);
    out.subscribers.push(subscriberRow(ctx, plan, number, thread));
    for (const c of thread) {
      out.conversations.push(c.row);
      out.messages.push(...c.msgs);
      if (c.ad) out.adConversations.push({ row: c.row, plan, ad: c.ad });
      for (const m of c.msgs) if (m.direction === "inbound") out.inbound.push({ payload: m.payload ?? {}, at: m.providerTimestamp.getTime(), plan });
    }
  }
  out.ads = cacheAds(ctx, out.adConversations);
  return out;
}

/**
 * The ads cache as the enrichment job leaves it: one row per ad id, registered by the ad's first
 * conversation (whose number's token fetches it) and fetched a moment later; every conversation of the
 * ad carries the names from then on, with the ad's fetch time.
 */
function cacheAds(ctx: Ctx, adConversations: AdConversation[]): NewAd[] {
  const first = new Map<string, AdConversation>();
  for (const c of adConversations) {
    const seen = first.get(c.ad.id);
    if (!seen || c.row.startedAt < seen.row.startedAt) first.set(c.ad.id, c);
  }
  const rows = [...first.values()].map(({ ad, row }) => {
    const enrichedAt = at(Math.min(row.startedAt.getTime() + ctx.rng.int(5, 180) * 1000, ctx.nowMs));
    return {
      tenantId: ctx.tenantId,
      adId: ad.id,
      numberId: row.numberId,
      adName: ad.adName,
      adsetId: ad.adsetId,
      adsetName: ad.adsetName,
      campaignId: ad.campaignId,
      campaignName: ad.campaignName,
      creativeId: ad.creativeId,
      creativeName: ad.creativeName,
      status: "enriched" as const,
      attempts: 1,
      enrichedAt,
      firstSeenAt: row.startedAt,
      createdAt: row.startedAt,
      updatedAt: enrichedAt,
    };
  });
  const fetchedAt = new Map(rows.map((r) => [r.adId, r.enrichedAt]));
  for (const c of adConversations) c.row.enrichedAt = fetchedAt.get(c.ad.id);
  return rows;
}

function planSubscriber(ctx: Ctx, used: Set<string>, fate: SubPlan["fate"]): SubPlan {
  const { rng } = ctx;
  const { digits, country } = newPhone(ctx, used);
  const lang: Lang = country.code === "RU" || country.code === "UA" || rng.chance(0.5) ? "ru" : "en";
  const name = rng.chance(0.04) ? null : lang === "en" ? rng.pick(EN_NAMES) : rng.chance(0.15) ? rng.pick(LATIN_RU) : russianName(rng, rng.chance(0.4));
  const segment: Segment = rng.chance(lang === "en" ? 0.2 : 0.55) ? "acting" : "oratory";
  return {
    id: randomUUID(),
    digits,
    country,
    lang,
    name,
    segment,
    numberIdx: segment === "oratory" && rng.chance(0.7) ? 1 : 0,
    fate,
    lifecycle: rng.weighted([
      ["lead", 40],
      ["prospect", 30],
      ["customer", 22],
      ["repeat_customer", 8],
    ] as const),
    firstSeenMs: 0,
  };
}

/** 1–3 conversations, each opened after the previous 24 h window closed; the last one carries the subscriber's fate. */
function buildThread(ctx: Ctx, plan: SubPlan, number: BuiltNumber): Built[] {
  const { rng, nowMs } = ctx;
  const thread: Built[] = [];
  const count = rng.weighted([
    [1, 60],
    [2, 28],
    [3, 12],
  ] as const);
  let start = nowMs - rng.int(3 * HOUR, 30 * DAY);
  for (let i = 0; i < count && start <= nowMs - 3 * HOUR; i++) {
    const built = buildConversation(ctx, plan, number, start, i);
    thread.push(built);
    start = built.row.lastMessageAt.getTime() + DAY + rng.int(2 * HOUR, 6 * DAY);
  }
  const last = thread.at(-1) as Built;
  if (plan.fate !== "active") {
    // opted out with a STOP keyword; blocked: our last message bounced (131026)
    if (last.msgs.length >= 6) last.msgs.pop();
    const t = last.row.lastMessageAt.getTime() + rng.int(2, 30) * MIN;
    const fateMsg =
      plan.fate === "opted_out" ? inboundMessage(ctx, plan, number, t, { text: plan.lang === "ru" ? "СТОП" : "STOP" }) : outboundMessage(ctx, plan, t, true);
    last.msgs.push(wrap(ctx, plan, number, last.row.id, fateMsg));
    finishConversation(ctx, last);
  }
  plan.firstSeenMs = (thread[0] as Built).row.startedAt.getTime();
  return thread;
}

function pickAd(rng: Rng, plan: SubPlan): Ad {
  const fitting = ADS.filter((a) => a.lang === plan.lang && a.segment === plan.segment);
  const pool = fitting.length > 0 ? fitting : ADS.filter((a) => a.segment === plan.segment);
  return rng.weighted(pool.map((a) => [a, a.weight] as const));
}

function buildConversation(ctx: Ctx, plan: SubPlan, number: BuiltNumber, startMs: number, index: number): Built {
  const { rng } = ctx;
  const kind = rng.weighted([
    ["ad", 55],
    ["post", 10],
    ["organic", 35],
  ] as const);
  const ad = kind === "ad" ? pickAd(rng, plan) : null;
  const row: ConvRow = {
    id: randomUUID(),
    tenantId: ctx.tenantId,
    subscriberId: plan.id,
    numberId: number.row.id,
    startedAt: at(startMs),
    lastMessageAt: at(startMs),
    windowExpiresAt: at(startMs + DAY),
    createdAt: at(startMs),
    ...(ad ? adAttribution(ctx, ad) : kind === "post" ? postAttribution(rng) : {}),
  };
  const msgs: MsgRow[] = [];
  const n = rng.int(1, 6);
  let t = startMs;
  for (let k = 0; k < n; k++) {
    const prev = msgs.at(-1);
    const outbound = prev !== undefined && rng.chance(prev.direction === "inbound" ? 0.8 : 0.25);
    const msg = outbound
      ? outboundMessage(ctx, plan, t, false)
      : inboundMessage(ctx, plan, number, t, k === 0 ? { opener: true, referral: row.referral ?? null, index } : { prev });
    msgs.push(wrap(ctx, plan, number, row.id, msg));
    t += rng.int(1, 25) * MIN + rng.int(0, 59_000);
  }
  const built = { row, msgs, ad };
  finishConversation(ctx, built);
  return built;
}

function finishConversation(ctx: Ctx, built: Built): void {
  const last = (built.msgs.at(-1) as MsgRow).providerTimestamp.getTime();
  built.row.lastMessageAt = at(last);
  built.row.windowExpiresAt = at(last + DAY);
  built.row.updatedAt = at(last);
  if (!built.row.metaConversationId && built.msgs.some((m) => m.direction === "outbound")) {
    built.row.metaConversationId = ctx.rng.chars(32, HEX);
    built.row.metaOrigin = built.ad ? "referral_conversion" : "service";
  }
}

function adAttribution(ctx: Ctx, ad: Ad): Partial<ConvRow> {
  const { rng } = ctx;
  const ctwaClid = `A${rng.pick(["ff", "RA", "Rb", "Ze", "Qx"])}${rng.chars(rng.int(118, 132), B64URL)}`;
  const media = ad.media.type === "image" ? { image_url: ad.media.imageUrl } : { video_url: ad.media.videoUrl, thumbnail_url: ad.media.thumbnailUrl };
  const utm = new URL(ad.sourceUrl).searchParams;
  return {
    ctwaClid,
    sourceUrl: ad.sourceUrl,
    sourceType: "ad",
    sourceId: ad.id,
    headline: ad.headline,
    body: ad.body,
    mediaType: ad.media.type,
    imageUrl: ad.media.type === "image" ? ad.media.imageUrl : null,
    videoUrl: ad.media.type === "video" ? ad.media.videoUrl : null,
    thumbnailUrl: ad.media.type === "video" ? ad.media.thumbnailUrl : null,
    welcomeText: ad.welcome,
    referral: {
      source_url: ad.sourceUrl,
      source_id: ad.id,
      source_type: "ad",
      body: ad.body,
      headline: ad.headline,
      media_type: ad.media.type,
      ...media,
      ctwa_clid: ctwaClid,
      welcome_message: { text: ad.welcome },
    },
    utmSource: utm.get("utm_source"),
    utmMedium: utm.get("utm_medium"),
    utmCampaign: utm.get("utm_campaign"),
    utmContent: utm.get("utm_content"),
    // ingestion keeps the referral's source_id as the ad id; the enrichment job's names (cacheAds sets the time)
    adId: ad.id,
    campaignId: ad.campaignId,
    campaignName: ad.campaignName,
    adsetId: ad.adsetId,
    adsetName: ad.adsetName,
    adName: ad.adName,
    creativeId: ad.creativeId,
    creativeName: ad.creativeName,
  };
}

function postAttribution(rng: Rng): Partial<ConvRow> {
  const post = rng.pick(POSTS);
  return {
    sourceUrl: post.sourceUrl,
    sourceType: "post",
    sourceId: post.id,
    headline: post.headline,
    body: post.body,
    mediaType: "image",
    imageUrl: post.imageUrl,
    referral: {
      source_url: post.sourceUrl,
      source_id: post.id,
      source_type: "post",
      body: post.body,
      headline: post.headline,
      media_type: "image",
      image_url: post.imageUrl,
    },
  };
}

type Msg = Omit<MsgRow, "id" | "tenantId" | "subscriberId" | "conversationId" | "numberId">;
type InboundOpts = { opener: true; referral: Record<string, unknown> | null; index: number } | { prev: MsgRow | undefined } | { text: string };

function inboundMessage(ctx: Ctx, plan: SubPlan, number: BuiltNumber, t: number, opts: InboundOpts): Msg {
  const { rng } = ctx;
  const T = INBOUND[plan.lang];
  const id = wamid(ctx, plan.digits, false);
  const base = { from: plan.digits, id, timestamp: String(Math.floor(t / 1000)) };
  const media = () => ({ id: rng.chars(16, DIGITS), sha256: `${rng.chars(43, B64URL)}=` });
  let type = "text";
  let preview: string | null;
  let payload: Record<string, unknown>;
  const prev = "prev" in opts ? opts.prev : undefined;
  if ("text" in opts) {
    preview = opts.text;
    payload = { ...base, type, text: { body: preview } };
  } else if ("opener" in opts && !opts.referral && opts.index > 0 && rng.chance(0.3)) {
    // a quick-reply tap on an earlier marketing template opens a new conversation
    type = "button";
    preview = plan.lang === "ru" ? "Записаться" : "Book a trial";
    payload = { ...base, type, button: { payload: "book_trial", text: preview } };
  } else if (prev?.direction === "outbound" && prev.type === "interactive") {
    const [bid, title] = rng.pick(OUTBOUND_BUTTONS[plan.lang].buttons);
    type = "interactive";
    preview = title;
    payload = { ...base, type, context: { from: number.digits, id: prev.wamid }, interactive: { type: "button_reply", button_reply: { id: bid, title } } };
  } else {
    type =
      "opener" in opts
        ? "text"
        : rng.weighted([
            ["text", 78],
            ["image", 10],
            ["audio", 12],
          ] as const);
    if (type === "image") {
      preview = rng.chance(0.7) ? rng.pick(T.captions) : null;
      payload = { ...base, type, image: { ...(preview ? { caption: preview } : {}), mime_type: "image/jpeg", ...media() } };
    } else if (type === "audio") {
      preview = null;
      payload = { ...base, type, audio: { mime_type: "audio/ogg; codecs=opus", ...media(), voice: true } };
    } else {
      preview = "opener" in opts ? rng.pick(rng.chance(0.6) ? T[plan.segment] : T.general) : rng.pick(T.followUps);
      payload = { ...base, type, text: { body: preview } };
    }
    if ("opener" in opts && opts.referral) payload.referral = opts.referral;
  }
  return {
    direction: "inbound",
    wamid: id,
    type,
    textPreview: preview,
    payload,
    status: "received",
    providerTimestamp: at(t),
    createdAt: at(t),
    updatedAt: at(t),
  };
}

/** Our reply and what its statuses did: read / delivered / sent, a few failed (131026, 131049). */
function outboundMessage(ctx: Ctx, plan: SubPlan, t: number, forceFail: boolean): Msg {
  const { rng, nowMs } = ctx;
  const id = wamid(ctx, plan.digits, true);
  const buttons = OUTBOUND_BUTTONS[plan.lang];
  const interactive = !forceFail && rng.chance(0.15);
  const body = interactive ? buttons.text : rng.pick(OUTBOUND[plan.lang]);
  const common = { messaging_product: "whatsapp", recipient_type: "individual", to: plan.digits };
  const payload = interactive
    ? {
        ...common,
        type: "interactive",
        interactive: {
          type: "button",
          body: { text: body },
          action: { buttons: buttons.buttons.map(([rid, title]) => ({ type: "reply", reply: { id: rid, title } })) },
        },
      }
    : { ...common, type: "text", text: { preview_url: false, body } };
  let status = forceFail
    ? "failed"
    : rng.weighted([
        ["read", 55],
        ["delivered", 25],
        ["sent", 14],
        ["failed", 6],
      ] as const);
  const msg: Msg = {
    direction: "outbound",
    wamid: id,
    type: payload.type,
    textPreview: body,
    payload,
    status,
    providerTimestamp: at(t),
    createdAt: at(t),
    updatedAt: at(t),
  };
  if (status === "failed") {
    const err = forceFail ? MESSAGE_ERRORS[0] : rng.pick(MESSAGE_ERRORS);
    return { ...msg, failedAt: at(t + rng.int(1, 20) * 1000), errorCode: err.code, errorTitle: err.title, errorDetail: err.details, updatedAt: at(t + 20_000) };
  }
  const delivered = t + rng.int(2, 40) * 1000;
  const read = delivered + rng.int(1, 300) * MIN;
  if (status === "read" && read > nowMs) status = "delivered";
  return {
    ...msg,
    status,
    sentAt: at(t),
    deliveredAt: status === "sent" ? null : at(delivered),
    readAt: status === "read" ? at(read) : null,
    updatedAt: at(status === "read" ? read : status === "delivered" ? delivered : t),
  };
}

function wrap(ctx: Ctx, plan: SubPlan, number: BuiltNumber, conversationId: string, msg: Msg): MsgRow {
  return { ...msg, id: randomUUID(), tenantId: ctx.tenantId, subscriberId: plan.id, conversationId, numberId: number.row.id };
}

function subscriberRow(ctx: Ctx, plan: SubPlan, number: BuiltNumber, thread: Built[]): NewSubscriber & { id: string } {
  const { rng } = ctx;
  const msgs = thread.flatMap((c) => c.msgs);
  const first = (thread[0] as Built).row;
  const last = (thread.at(-1) as Built).row;
  const inbound = msgs.filter((m) => m.direction === "inbound");
  const outbound = msgs.filter((m) => m.direction === "outbound");
  const latest = (dates: (Date | null | undefined)[]) => dates.reduce<Date | null>((a, d) => (d && (!a || d > a) ? d : a), null);
  const lastMsg = msgs.at(-1) as MsgRow;
  const lastFailed = outbound.filter((m) => m.status === "failed").at(-1);
  const lastInboundAt = inbound.at(-1)?.providerTimestamp ?? first.startedAt;
  const lastStatusAt = latest([lastMsg.providerTimestamp, lastMsg.sentAt, lastMsg.deliveredAt, lastMsg.readAt, lastMsg.failedAt]) as Date;
  const optOutAt = plan.fate === "opted_out" ? lastInboundAt : null;
  const tags = rng.chance(0.4) ? [...new Set([...(rng.chance(0.7) ? [plan.segment] : []), rng.pick(TAGS)])] : [];
  return {
    id: plan.id,
    tenantId: ctx.tenantId,
    waPhone: `+${plan.digits}`,
    waId: plan.digits,
    phoneHash: sha256Hex(plan.digits),
    profileName: plan.name,
    numberId: number.row.id,
    conversationId: last.id,
    conversationExpiresAt: last.windowExpiresAt,
    lastMessageStatus: lastMsg.status,
    lastMessageStatusAt: lastStatusAt,
    firstSeenAt: first.startedAt,
    lastInboundAt,
    inboundCount: inbound.length,
    outboundCount: outbound.length,
    lastOutboundAt: outbound.at(-1)?.providerTimestamp ?? null,
    lastOutboundMessageId: outbound.at(-1)?.wamid ?? null,
    lastDeliveredAt: latest(outbound.map((m) => m.deliveredAt)),
    lastReadAt: latest(outbound.map((m) => m.readAt)),
    lastFailedAt: lastFailed?.failedAt ?? null,
    lastFailedCode: lastFailed?.errorCode ?? null,
    lastFailedReason: lastFailed?.errorTitle ?? null,
    optInStatus: plan.fate !== "opted_out",
    optInAt: first.startedAt,
    optOutAt,
    status: plan.fate,
    lifecycleState: plan.lifecycle,
    lifecycleChangedAt: at(first.startedAt.getTime() + rng.next() * (lastInboundAt.getTime() - first.startedAt.getTime())),
    rawLastEventType: "message",
    rawVersion: "v3",
    country: plan.country.code,
    timezone: plan.country.tz,
    tags,
    customFields: rng.chance(0.3) ? { course: plan.segment, preferred_time: rng.pick(["evening", "weekend", "morning"]) } : {},
    ...touches(thread),
    createdAt: first.startedAt,
    updatedAt: lastStatusAt,
  };
}

/** First and last touch as ingestion keeps them: conversations opened by a referral (ad or post) only; organic ones are no touch. */
function touches(
  thread: Built[],
): Pick<NewSubscriber, "firstTouchConversationId" | "lastTouchConversationId" | "firstTouchSource" | "firstTouchAdId" | "firstTouchCampaignId" | "hasClickId"> {
  const referred = thread.filter((c) => c.row.sourceType);
  const first = referred[0]?.row;
  return {
    firstTouchConversationId: first?.id ?? null,
    lastTouchConversationId: referred.at(-1)?.row.id ?? null,
    firstTouchSource: first?.sourceType ?? null,
    firstTouchAdId: first?.adId ?? null,
    firstTouchCampaignId: first?.campaignId ?? null,
    hasClickId: referred.some((c) => c.row.ctwaClid),
  };
}
