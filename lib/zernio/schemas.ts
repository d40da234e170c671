// The shapes @getlatedev/node (Zernio's SDK, 0.2.869) sends and expects for its WhatsApp conversion
// calls. The body of sendWhatsAppConversion is SendWhatsAppConversionRequest, which is already our
// conversionRequestSchema (lib/conversions/schema.ts); only the other calls' inputs are declared here.
// Answers carry Zernio's fields, plus a few of ours (id, eventId, status…) marked as extensions.
import { z } from "zod";
import { CONVERSION_STATUSES } from "@/db/schema";
import { parseWithReasons } from "@/lib/errors";

const accountIdSchema = z.uuid("accountId must be the id of one of your WhatsApp numbers in Clicktrail (GET /api/v1/numbers)");
const unknownFields = {
  error: (iss: z.core.$ZodRawIssue) =>
    iss.code === "unrecognized_keys" ? `Unknown field${iss.keys.length > 1 ? "s" : ""}: ${iss.keys.join(", ")}` : undefined,
};

/** GET /v1/whatsapp/conversions?accountId=…&limit=… (ListWhatsAppConversionsData.query). */
export const zernioListQuerySchema = z.object({
  accountId: accountIdSchema,
  limit: z.coerce
    .number({ error: "limit must be a whole number from 1 to 200" })
    .int("limit must be a whole number from 1 to 200")
    .min(1, "limit must be a whole number from 1 to 200")
    .max(200, "limit must be a whole number from 1 to 200")
    .default(50),
});
export type ZernioListQuery = z.output<typeof zernioListQuerySchema>;

/** GET /v1/whatsapp/dataset?accountId=… (GetWhatsAppDatasetData.query). */
export const zernioDatasetQuerySchema = z.object({ accountId: accountIdSchema });

/** POST /v1/whatsapp/dataset { accountId } (CreateWhatsAppDatasetData.body). */
export const zernioDatasetBodySchema = z.strictObject({ accountId: accountIdSchema }, unknownFields);

/** Parses with zod; a refusal is one 422 `invalid_request` whose message names every field. */
export const parseZernioInput = <S extends z.ZodType>(schema: S, raw: unknown): z.output<S> => parseWithReasons(schema, raw);

const statusSchema = z.enum(CONVERSION_STATUSES);

/** SendWhatsAppConversionResponse, plus our id, eventId, status, duplicate and warnings. */
export const zernioSendResultSchema = z.strictObject({
  platform: z.literal("metaads"),
  eventsReceived: z.number().int(),
  eventsFailed: z.number().int(),
  failures: z.array(z.strictObject({ eventIndex: z.number().int(), eventId: z.string(), message: z.string(), code: z.union([z.string(), z.number()]) })),
  traceId: z.string().optional(),
  // Clicktrail extensions
  id: z.uuid(),
  eventId: z.string(),
  status: statusSchema,
  duplicate: z.boolean(),
  warnings: z.array(z.string()),
});
export type ZernioSendResult = z.output<typeof zernioSendResultSchema>;

/** One event of ListWhatsAppConversionsResponse, plus our id, eventId and status. */
export const zernioConversionEventSchema = z.strictObject({
  timestamp: z.string(),
  eventName: z.string(),
  conversationId: z.string().nullable(),
  eventsReceived: z.number().int().nullable(),
  eventsFailed: z.number().int().nullable(),
  traceId: z.string().nullable(),
  durationMs: z.number().nullable(),
  // Clicktrail extensions
  id: z.uuid(),
  eventId: z.string(),
  status: statusSchema,
});
export type ZernioConversionEvent = z.output<typeof zernioConversionEventSchema>;
export const zernioListResultSchema = z.strictObject({ events: z.array(zernioConversionEventSchema) });

/** GetWhatsAppDatasetResponse and CreateWhatsAppDatasetResponse. */
export const zernioDatasetSchema = z.strictObject({ datasetId: z.string().nullable() });
export const zernioDatasetCreatedSchema = z.strictObject({ datasetId: z.string(), created: z.boolean() });
