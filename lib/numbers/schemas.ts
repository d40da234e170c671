// One definition of a WhatsApp number's fields, shared by the console form (inline errors as the
// user types) and the API (authoritative). Secrets are required when a number is created and
// optional when it is edited: left empty, the stored secret is kept.
import { z } from "zod";
import type { PROVIDERS } from "@/db/schema";
import { phoneE164Schema } from "@/lib/phone";

export type Provider = (typeof PROVIDERS)[number];

export const PROVIDER_LABELS: Record<Provider, string> = {
  cloud: "Meta Cloud API",
  green: "Green API",
  gupshup: "Gupshup",
};

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const emptyToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);

const digitsSchema = (label: string) =>
  z
    .string(`Enter the ${label}`)
    .trim()
    .min(1, `Enter the ${label}`)
    .regex(/^\d+$/, `The ${label} has digits only (copy it from Meta's dashboard)`)
    .max(32, `The ${label} is at most 32 digits`);

const secretSchema = (label: string) =>
  z.string(`Enter the ${label}`).trim().min(1, `Enter the ${label}`).max(4096, `The ${label} is too long`).regex(/^\S+$/, `The ${label} cannot contain spaces`);

/** Required on create; on edit an empty value means "keep the stored secret". */
const secretField = (label: string, mode: Mode) => (mode === "create" ? secretSchema(label) : z.preprocess(emptyToUndefined, secretSchema(label).optional()));

const verifyTokenSchema = z
  .string()
  .trim()
  .min(16, "Use at least 16 characters")
  .max(128, "Use at most 128 characters")
  .regex(/^[A-Za-z0-9._~-]+$/, "Use letters, digits and . _ ~ - only");

type Mode = "create" | "update";

/**
 * The highest drip send rate per provider, messages per second: a Cloud API number up to Meta's highest
 * throughput tier (80 by default, 1,000 once Meta raised it); the others at most 80.
 */
export const MAX_SEND_RATE: Record<Provider, number> = { cloud: 1000, green: 80, gupshup: 80 };

const sendRateSchema = (max: number, tooHigh: string) =>
  z.coerce.number("Enter a number").int("Use a whole number").min(1, "At least 1 message per second").max(max, tooHigh).default(20);

export const autoLeadSubmittedSchema = z.boolean("autoLeadSubmitted must be true or false");

function shapes(mode: Mode) {
  const base = {
    label: z.string("Enter a label").trim().min(1, "Enter a label, e.g. “Sales (Moscow)”").max(80, "Use at most 80 characters"),
    phoneE164: phoneE164Schema,
    active: z.boolean().default(true),
    sendRatePerSecond: sendRateSchema(MAX_SEND_RATE.green, "Send at most 80 messages per second per number"),
  };
  return {
    cloud: {
      ...base,
      provider: z.literal("cloud"),
      sendRatePerSecond: sendRateSchema(
        MAX_SEND_RATE.cloud,
        "Meta allows at most 1,000 messages per second per number (its highest throughput tier; 80 until Meta raises it)",
      ),
      phoneNumberId: digitsSchema("Phone Number ID"),
      wabaId: digitsSchema("WhatsApp Business Account ID"),
      accessToken: secretField("access token", mode),
      appSecret: secretField("app secret", mode),
      datasetId: z.preprocess(emptyToNull, digitsSchema("dataset ID").nullable().optional()),
      verifyToken: z.preprocess(emptyToUndefined, verifyTokenSchema.optional()),
      /** a LeadSubmitted conversion on the first message of each ad-attributed conversation (needs a dataset) */
      autoLeadSubmitted: autoLeadSubmittedSchema.optional(),
    },
    green: {
      ...base,
      provider: z.literal("green"),
      greenApiUrl: z.preprocess(
        (v) => (typeof v === "string" ? v.trim().replace(/\/+$/, "") : v),
        z.url({ protocol: /^https?$/, error: "Enter the API URL from the Green API console, e.g. https://7103.api.greenapi.com" }),
      ),
      greenInstanceId: digitsSchema("instance ID").max(20, "The instance ID is at most 20 digits"),
      greenApiToken: secretField("instance token", mode),
    },
    gupshup: {
      ...base,
      provider: z.literal("gupshup"),
      gupshupAppName: z.string("Enter the app name").trim().min(1, "Enter the Gupshup app name").max(120),
      gupshupApiKey: secretField("API key", mode),
      gupshupSourceNumber: z.preprocess(emptyToUndefined, phoneE164Schema.optional()),
    },
  };
}

function union(mode: Mode, strict: boolean) {
  const s = shapes(mode);
  const obj = strict ? z.strictObject : z.object;
  const cloud = obj(s.cloud).superRefine((n, ctx) => {
    if (n.autoLeadSubmitted && !n.datasetId) {
      ctx.addIssue({
        code: "custom",
        path: ["autoLeadSubmitted"],
        message: "Automatic LeadSubmitted events need a Conversions API dataset: set datasetId first",
      });
    }
  });
  return z.discriminatedUnion("provider", [cloud, obj(s.green), obj(s.gupshup)], {
    error: "Choose a provider: cloud, green or gupshup",
  });
}

/** The console form (extra keys of the other providers are dropped). */
export const numberFormSchema = union("create", false);
export const numberEditFormSchema = union("update", false);
/** The API: unknown fields are refused. */
export const createNumberSchema = union("create", true);
export const numberUpdateSchema = union("update", true);

export type NumberInput = z.output<typeof numberFormSchema>;
export type NumberUpdate = z.output<typeof numberUpdateSchema>;

/** PATCH /api/v1/numbers/{id}: any subset of the fields; merged with the stored number, then validated whole. */
export const numberPatchSchema = z
  .strictObject({
    label: z.unknown(),
    phoneE164: z.unknown(),
    active: z.unknown(),
    sendRatePerSecond: z.unknown(),
    provider: z.unknown(),
    phoneNumberId: z.unknown(),
    wabaId: z.unknown(),
    accessToken: z.unknown(),
    appSecret: z.unknown(),
    datasetId: z.unknown(),
    verifyToken: z.unknown(),
    autoLeadSubmitted: z.unknown(),
    greenApiUrl: z.unknown(),
    greenInstanceId: z.unknown(),
    greenApiToken: z.unknown(),
    gupshupAppName: z.unknown(),
    gupshupApiKey: z.unknown(),
    gupshupSourceNumber: z.unknown(),
  })
  .partial();
export type NumberPatch = z.output<typeof numberPatchSchema>;

/** Which fields are secrets (never returned, shown only as a hint). */
export const SECRET_FIELDS = ["accessToken", "appSecret", "greenApiToken", "gupshupApiKey"] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];
