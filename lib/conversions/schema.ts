// The conversions API contract: SendWhatsAppConversionRequest of seeds/002, validated with errors a
// developer can act on (which field, why, what Meta would do), normalised and hashed at the boundary
// so raw emails and customer ids never reach the database or a log.
import { z } from "zod";
import { sha256Hex } from "@/lib/crypto";
import { AppError, parseWithReasons } from "@/lib/errors";

/** Event names Meta accepts with action_source=business_messaging (specs/capi-business-messaging.md §3). */
export const CONVERSION_EVENT_NAMES = ["LeadSubmitted", "Purchase", "AddToCart", "InitiateCheckout", "ViewContent"] as const;
export type ConversionEventName = (typeof CONVERSION_EVENT_NAMES)[number];

/** Each event in words, as people read it: one conversion ("Lead") and a count or column ("Leads"). */
export const CONVERSION_EVENT_LABELS: Record<ConversionEventName, { one: string; many: string }> = {
  LeadSubmitted: { one: "Lead", many: "Leads" },
  Purchase: { one: "Purchase", many: "Purchases" },
  InitiateCheckout: { one: "Checkout started", many: "Checkouts started" },
  AddToCart: { one: "Added to cart", many: "Added to cart" },
  ViewContent: { one: "Content view", many: "Content views" },
};

/** An event name in words ("Leads" for LeadSubmitted); a name Meta added later reads as it was sent. */
export function eventLabel(name: string, form: "one" | "many" = "one"): string {
  return Object.hasOwn(CONVERSION_EVENT_LABELS, name) ? CONVERSION_EVENT_LABELS[name as ConversionEventName][form] : name;
}

/** The event menu of a filter: the words, in the order above. */
export const CONVERSION_EVENT_OPTIONS = CONVERSION_EVENT_NAMES.map((value) => ({ value, label: CONVERSION_EVENT_LABELS[value].many }));

/** Standard pixel events Meta refuses for business messaging (subcode 2804066), and what to send instead. */
const REFUSED_EVENT_NAMES: Record<string, ConversionEventName> = {
  lead: "LeadSubmitted",
  contact: "LeadSubmitted",
  completeregistration: "LeadSubmitted",
  submitapplication: "LeadSubmitted",
  subscribe: "LeadSubmitted",
  schedule: "LeadSubmitted",
  starttrial: "LeadSubmitted",
  qualifiedlead: "LeadSubmitted",
  addpaymentinfo: "InitiateCheckout",
  search: "ViewContent",
  addtowishlist: "AddToCart",
};

export const ATTRIBUTION_WINDOW_MS = 7 * 24 * 3600 * 1000;
export const MAX_FUTURE_MS = 10 * 60 * 1000;
export const MAX_VALUE = 999_999_999_999.99; // numeric(14, 2)

/** ISO 4217 codes known to the runtime's ICU data (every active currency). */
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

type Reason = { reason: string };
const issue = (ctx: z.core.$RefinementCtx, message: string, reason?: string) =>
  ctx.addIssue({ code: "custom", message, ...(reason ? { params: { reason } satisfies Reason } : {}) });

const eventNameSchema = z
  .string({ error: "eventName is required: one of " + CONVERSION_EVENT_NAMES.join(", ") })
  .superRefine((name, ctx) => {
    if ((CONVERSION_EVENT_NAMES as readonly string[]).includes(name)) return;
    const instead = REFUSED_EVENT_NAMES[name.replace(/[\s_-]/g, "").toLowerCase()];
    const exact = CONVERSION_EVENT_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
    issue(
      ctx,
      exact
        ? `"${name}" must be spelled "${exact}" (event names are case-sensitive)`
        : instead
          ? `Meta rejects "${name}" for business messaging (error 2804066, "Messaging Event Invalid Event Type"); use "${instead}" instead`
          : `"${name}" is not an event Meta accepts for business messaging (custom names are rejected too); use one of ${CONVERSION_EVENT_NAMES.join(", ")}`,
      "event_name_not_allowed",
    );
  })
  .transform((name) => name as ConversionEventName)
  .meta({ enum: [...CONVERSION_EVENT_NAMES], description: "Event names Meta accepts for business messaging. Use LeadSubmitted, not Lead." });

const eventTimeSchema = z
  .number({ error: "eventTime must be a number: unix time in seconds" })
  .int("eventTime must be whole unix seconds")
  .positive("eventTime must be unix time in seconds")
  .superRefine((t, ctx) => {
    if (t > 99_999_999_999) issue(ctx, "eventTime looks like milliseconds; send unix time in seconds");
  });

const amountSchema = z
  .union(
    [
      z.number(),
      z
        .string()
        .trim()
        .regex(/^\d+(\.\d+)?$/, "value must be a number, e.g. 149.90"),
    ],
    { error: "value must be a number, e.g. 149.90" },
  )
  .transform((v) => Number(v))
  .pipe(
    z
      .number()
      .min(0, "value cannot be negative")
      .max(MAX_VALUE, "value is too large")
      .refine((v) => Number.isFinite(v), "value must be a finite number"),
  );

const currencySchema = z
  .string({ error: "currency must be an ISO 4217 code such as USD" })
  .trim()
  .transform((c) => c.toUpperCase())
  .refine((c) => CURRENCIES.has(c), { message: "currency must be an ISO 4217 code such as USD, EUR or BRL" });

const phoneSchema = z
  .string({ error: "phoneE164 must be a string of digits with the country code, e.g. 15551234567" })
  .trim()
  .transform((p) => p.replace(/^\+/, ""))
  .refine((p) => /^[1-9]\d{6,14}$/.test(p), {
    message: "phoneE164 must be the number's digits with the country code and no symbols, e.g. 15551234567 (a leading + is allowed)",
  });

/** Email as Meta wants it hashed: trimmed and lower-cased. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();
/** External ids: trimmed and lower-cased (as Zernio and Meta's helpers do) before hashing. */
export const normaliseExternalId = (id: string) => id.trim().toLowerCase();

const emailSchema = z
  .string({ error: "email must be a string" })
  .transform(normaliseEmail)
  .pipe(z.email("email is not a valid email address"))
  .transform((e) => sha256Hex(e));

const externalIdSchema = z
  .string({ error: "externalId must be a string" })
  .transform(normaliseExternalId)
  .pipe(z.string().min(1, "externalId is empty").max(512, "externalId is too long (512 characters at most)"))
  .transform((e) => sha256Hex(e));

/** The request body of POST /api/v1/conversions/whatsapp (seeds/002 SendWhatsAppConversionRequest). */
export const conversionRequestSchema = z
  .strictObject(
    {
      accountId: z.uuid("accountId must be the id of one of your WhatsApp numbers (GET /api/v1/numbers)"),
      eventName: eventNameSchema,
      eventTime: eventTimeSchema.optional(),
      eventId: z
        .string({ error: "eventId is required: a stable id for this conversion, e.g. order-1029:Purchase" })
        .min(1, "eventId is required: a stable id for this conversion, e.g. order-1029:Purchase")
        .max(255, "eventId is too long (255 characters at most)"),
      conversationId: z.uuid("conversationId must be a conversation id from Clicktrail (GET /api/v1/subscribers/{id})").optional(),
      phoneE164: phoneSchema.optional(),
      value: amountSchema.optional(),
      currency: currencySchema.optional(),
      contentIds: z
        .array(z.string().trim().min(1, "contentIds cannot hold empty ids").max(255), { error: "contentIds must be an array of strings" })
        .max(1000, "contentIds holds 1000 ids at most")
        .optional(),
      email: emailSchema.optional(),
      externalId: externalIdSchema.optional(),
      testCode: z.string({ error: "testCode must be a string" }).trim().min(1, "testCode is empty").max(64, "testCode is too long").optional(),
    },
    { error: (iss) => (iss.code === "unrecognized_keys" ? `Unknown field${iss.keys.length > 1 ? "s" : ""}: ${iss.keys.join(", ")}` : undefined) },
  )
  .superRefine((body, ctx) => {
    if (!body.conversationId && !body.phoneE164) {
      ctx.addIssue({
        code: "custom",
        message: "Send conversationId or phoneE164 (at least one) so the conversion can be matched to an ad click",
        path: ["conversationId"],
      });
    }
    if (body.eventName === "Purchase") {
      if (body.value === undefined) ctx.addIssue({ code: "custom", message: "A Purchase needs a value", path: ["value"] });
      if (body.currency === undefined) ctx.addIssue({ code: "custom", message: "A Purchase needs a currency (ISO 4217, e.g. USD)", path: ["currency"] });
    }
    if (body.value !== undefined && body.currency === undefined && body.eventName !== "Purchase") {
      ctx.addIssue({ code: "custom", message: "A value needs its currency (ISO 4217, e.g. USD)", path: ["currency"] });
    }
  })
  .meta({ id: "SendWhatsAppConversionRequest" });

/** The parsed request: phone without '+', currency upper-case, email and externalId already SHA-256 hex. */
export type ConversionRequest = z.output<typeof conversionRequestSchema>;

/** Turns zod's issues into one 422 whose code names the first precise reason (e.g. event_name_not_allowed). */
export const parseConversionRequest = (raw: unknown): ConversionRequest => parseWithReasons(conversionRequestSchema, raw);

/**
 * The event time as Meta will judge it: default now; not more than 10 minutes ahead; not older than 7 days
 * (Meta rejects the whole request). Returns the time to send.
 */
export function checkEventTime(eventTime: number | undefined, now: Date): Date {
  if (eventTime === undefined) return new Date(Math.floor(now.getTime() / 1000) * 1000);
  const at = new Date(eventTime * 1000);
  if (at.getTime() > now.getTime() + MAX_FUTURE_MS) {
    throw new AppError(
      "unprocessable",
      `eventTime is ${describeGap(at.getTime() - now.getTime())} in the future; it may be at most 10 minutes ahead of now`,
      { eventTime, now: Math.floor(now.getTime() / 1000) },
      "event_in_future",
    );
  }
  if (at.getTime() < now.getTime() - ATTRIBUTION_WINDOW_MS) {
    throw new AppError(
      "unprocessable",
      `eventTime is ${describeGap(now.getTime() - at.getTime())} old; Meta rejects events older than 7 days`,
      { eventTime, now: Math.floor(now.getTime() / 1000) },
      "event_too_old",
    );
  }
  return at;
}

function describeGap(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

/** A stable hash of what was asked (after normalisation): the same eventId with another body is a conflict. */
export function conversionRequestHash(req: ConversionRequest): string {
  const canonical = {
    accountId: req.accountId,
    eventName: req.eventName,
    eventTime: req.eventTime ?? null,
    eventId: req.eventId,
    conversationId: req.conversationId ?? null,
    phoneE164: req.phoneE164 ?? null,
    value: req.value ?? null,
    currency: req.currency ?? null,
    contentIds: req.contentIds ?? null,
    email: req.email ?? null,
    externalId: req.externalId ?? null,
    testCode: req.testCode ?? null,
  };
  return sha256Hex(JSON.stringify(canonical));
}
