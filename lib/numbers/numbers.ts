// Connecting and managing WhatsApp numbers: secrets sealed with ENCRYPTION_KEY on the way in and
// never returned (only a `•••• 1a2b` hint), unique keys mapped to field errors, references
// checked before a delete.
import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import {
  countNumberReferences,
  deleteNumber as deleteNumberRow,
  findPhoneNumberIdOwner,
  getNumberById,
  insertNumber,
  listNumbers,
  type NumberReferences,
  type NumberRow,
  updateNumber as updateNumberRow,
} from "@/db/queries";
import type { NewWhatsappNumber } from "@/db/schema";
import { decryptSecret, encryptSecret, openSecret, randomToken, secretHint } from "@/lib/crypto";
import { AppError, notFound } from "@/lib/errors";
import type { EgressPolicy } from "@/lib/egress";
import { type PageParams, decodeCursor, toPage } from "@/lib/pagination";
import { checkGreenApiUrl, greenEgressPolicy } from "@/lib/whatsapp/green-client";
import { forgetWebhookRouting } from "@/lib/whatsapp/receive";
import type { ConnectionError } from "./connection-errors";
import { DEMO_NUMBER_CODE, demoNumberRefusal } from "./demo-number";
import { type NumberInput, type NumberPatch, type NumberUpdate, type Provider, type SecretField, numberUpdateSchema } from "./schemas";

/** `greenEgress`: where a Green API URL may point (Green's hosts + GREEN_API_HOSTS); Green's hosts only when absent. */
export type NumberKeys = { encryptionKey: string; appUrl: string; greenEgress?: EgressPolicy };

/** A Green API URL the server may not call is refused before it is stored (and checked again at every call). */
async function assertGreenApiUrlAllowed(apiUrl: string, keys: NumberKeys): Promise<void> {
  const verdict = await checkGreenApiUrl(apiUrl, keys.greenEgress ?? greenEgressPolicy());
  if (!verdict.ok) throw new AppError("unprocessable", verdict.message, { fieldErrors: { greenApiUrl: [verdict.message] } }, "green_api_url_refused");
}

export type NumberStatus = "connected" | "error" | "unverified" | "inactive";
export type SecretState = { set: boolean; hint: string | null; unreadable?: boolean };

export type PublicNumber = {
  id: string;
  label: string;
  phoneE164: string;
  provider: Provider;
  active: boolean;
  status: NumberStatus;
  connectionStatus: NumberRow["connectionStatus"];
  verifiedName: string | null;
  qualityRating: string | null;
  messagingLimitTier: string | null;
  lastCheckedAt: Date | null;
  lastError: ConnectionError | null;
  lastWebhookAt: Date | null;
  sendRatePerSecond: number;
  phoneNumberId: string | null;
  wabaId: string | null;
  datasetId: string | null;
  /** written by Load demo data: no provider connection, nothing is sent, checked or fetched through it */
  demo: boolean;
  /** a LeadSubmitted conversion is sent on the first message of each ad-attributed conversation */
  autoLeadSubmitted: boolean;
  greenApiUrl: string | null;
  greenInstanceId: string | null;
  gupshupAppName: string | null;
  gupshupSourceNumber: string | null;
  secrets: Partial<Record<SecretField, SecretState>>;
  /** What to paste into Meta's / Gupshup's dashboard (absent for read-only viewers). */
  webhook?: { callbackUrl: string; verifyToken: string; fields: string[]; gupshupCallbackUrl: string | null };
  createdAt: Date;
  updatedAt: Date;
};

const SECRET_COLUMNS = {
  accessToken: "accessTokenEnc",
  appSecret: "appSecretEnc",
  greenApiToken: "greenTokenEnc",
  gupshupApiKey: "gupshupApiKeyEnc",
} as const satisfies Record<SecretField, keyof NumberRow>;

const PROVIDER_SECRETS: Record<Provider, SecretField[]> = {
  cloud: ["accessToken", "appSecret"],
  green: ["greenApiToken"],
  gupshup: ["gupshupApiKey"],
};

function numberStatus(row: Pick<NumberRow, "active" | "connectionStatus">): NumberStatus {
  return row.active ? row.connectionStatus : "inactive";
}

function secretState(sealed: string | null, key: string): SecretState {
  if (!sealed) return { set: false, hint: null };
  try {
    return { set: true, hint: secretHint(decryptSecret(sealed, key)) };
  } catch {
    // sealed with another ENCRYPTION_KEY: the number cannot use it until it is replaced
    return { set: true, hint: null, unreadable: true };
  }
}

function webhookUrls(appUrl: string, row: Pick<NumberRow, "gupshupWebhookToken">) {
  const base = appUrl.replace(/\/+$/, "");
  return {
    callbackUrl: `${base}/api/webhooks/whatsapp`,
    gupshupCallbackUrl: row.gupshupWebhookToken ? `${base}/api/webhooks/gupshup/${row.gupshupWebhookToken}` : null,
  };
}

/** The number as the console and the API see it. Secrets appear only as hints. */
export function toPublicNumber(row: NumberRow, keys: NumberKeys, opts: { includeWebhook: boolean }): PublicNumber {
  const provider = row.provider as Provider;
  const secrets = Object.fromEntries(
    PROVIDER_SECRETS[provider].map((field) => [field, secretState(row[SECRET_COLUMNS[field]] as string | null, keys.encryptionKey)]),
  );
  const urls = webhookUrls(keys.appUrl, row);
  return {
    id: row.id,
    label: row.label,
    phoneE164: row.phoneE164,
    provider,
    active: row.active,
    status: numberStatus(row),
    connectionStatus: row.connectionStatus,
    verifiedName: row.verifiedName,
    qualityRating: row.qualityRating,
    messagingLimitTier: row.messagingLimitTier,
    lastCheckedAt: row.lastCheckedAt,
    lastError: (row.lastError as ConnectionError | null) ?? null,
    lastWebhookAt: row.lastWebhookAt,
    sendRatePerSecond: row.sendRatePerSecond,
    phoneNumberId: row.phoneNumberId,
    wabaId: row.wabaId,
    datasetId: row.datasetId,
    demo: row.demo,
    autoLeadSubmitted: row.autoLeadSubmitted,
    greenApiUrl: row.greenApiUrl,
    greenInstanceId: row.greenInstanceId,
    gupshupAppName: row.gupshupAppName,
    gupshupSourceNumber: row.gupshupSourceNumber,
    secrets,
    ...(opts.includeWebhook
      ? {
          webhook: {
            callbackUrl: urls.callbackUrl,
            verifyToken: row.verifyToken,
            fields: provider === "cloud" ? ["messages"] : [],
            gupshupCallbackUrl: urls.gupshupCallbackUrl,
          },
        }
      : {}),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const PROVEN_ELSEWHERE_MESSAGE =
  "This Phone Number ID is already connected and verified in another workspace. A Phone Number ID belongs to the workspace whose access token Meta accepted for it first; ask that workspace to remove it.";

function provenElsewhere(): AppError {
  return new AppError("conflict", PROVEN_ELSEWHERE_MESSAGE, { fieldErrors: { phoneNumberId: [PROVEN_ELSEWHERE_MESSAGE] } }, "phone_number_id_taken");
}

/** Refuses a Phone Number ID another workspace has proven (its webhooks and waiting events are that workspace's). */
async function refuseProvenElsewhere(db: Db, { tenantId, phoneNumberId }: { tenantId: string; phoneNumberId: string | null | undefined }) {
  if (phoneNumberId && (await findPhoneNumberIdOwner(db, { phoneNumberId, tenantId }))) throw provenElsewhere();
}

function conflictFor(e: unknown): AppError | null {
  if (isUniqueViolation(e, "whatsapp_numbers_tenant_phone_number_id_key")) {
    return new AppError("conflict", "This Phone Number ID is already connected", {
      fieldErrors: { phoneNumberId: ["This Phone Number ID is already connected in this workspace"] },
    });
  }
  if (isUniqueViolation(e, "whatsapp_numbers_phone_number_id_proven_key")) return provenElsewhere();
  if (isUniqueViolation(e, "whatsapp_numbers_tenant_phone_key")) {
    return new AppError("conflict", "This phone number is already connected", {
      fieldErrors: { phoneE164: ["This phone number is already connected in this workspace"] },
    });
  }
  if (isUniqueViolation(e, "whatsapp_numbers_verify_token_key")) {
    return new AppError("conflict", "This verify token is already in use", { fieldErrors: { verifyToken: ["Choose another verify token"] } });
  }
  return null;
}

async function withConflicts<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw conflictFor(e) ?? e;
  }
}

/** Column values for a validated input; `undefined` secrets keep what is stored. */
function toColumns(input: NumberInput | NumberUpdate, key: string): Partial<NewWhatsappNumber> {
  const seal = (v: string | undefined) => (v === undefined ? undefined : encryptSecret(v, key));
  const common = { label: input.label, phoneE164: input.phoneE164, active: input.active, sendRatePerSecond: input.sendRatePerSecond };
  const values: Partial<NewWhatsappNumber> =
    input.provider === "cloud"
      ? {
          ...common,
          phoneNumberId: input.phoneNumberId,
          wabaId: input.wabaId,
          accessTokenEnc: seal(input.accessToken),
          appSecretEnc: seal(input.appSecret),
          datasetId: input.datasetId ?? null,
          verifyToken: input.verifyToken,
          autoLeadSubmitted: input.autoLeadSubmitted,
        }
      : input.provider === "green"
        ? { ...common, greenApiUrl: input.greenApiUrl, greenInstanceId: input.greenInstanceId, greenTokenEnc: seal(input.greenApiToken) }
        : {
            ...common,
            gupshupAppName: input.gupshupAppName,
            gupshupApiKeyEnc: seal(input.gupshupApiKey),
            gupshupSourceNumber: input.gupshupSourceNumber ?? input.phoneE164,
          };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

export async function createNumber(db: Db, keys: NumberKeys, { tenantId, input }: { tenantId: string; input: NumberInput }) {
  if (input.provider === "cloud") await refuseProvenElsewhere(db, { tenantId, phoneNumberId: input.phoneNumberId });
  if (input.provider === "green") await assertGreenApiUrlAllowed(input.greenApiUrl, keys);
  const row = await withConflicts(() =>
    insertNumber(db, {
      tenantId,
      provider: input.provider,
      verifyToken: randomToken(24),
      gupshupWebhookToken: input.provider === "gupshup" ? randomToken(24) : null,
      ...toColumns(input, keys.encryptionKey),
    } as NewWhatsappNumber),
  );
  return row;
}

/** For pages: the tenant's number as the console shows it, or null (a malformed id names nothing). */
export async function findPublicNumber(
  db: Db,
  keys: NumberKeys,
  { tenantId, id, includeWebhook }: { tenantId: string; id: string; includeWebhook: boolean },
): Promise<PublicNumber | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const row = await getNumberById(db, { tenantId, id });
  return row ? toPublicNumber(row, keys, { includeWebhook }) : null;
}

/** A Cloud number's Graph access token in the clear, for a call the user asked for (422 `token_unreadable` when it cannot be read). */
export function numberAccessToken(number: Pick<NumberRow, "accessTokenEnc" | "demo" | "label">, encryptionKey: string): string {
  const demo = demoNumberRefusal(number);
  if (demo) throw new AppError("unprocessable", demo, undefined, DEMO_NUMBER_CODE);
  const token = openSecret(number.accessTokenEnc, encryptionKey);
  if (!token) throw new AppError("unprocessable", "The number's access token cannot be read: replace it on the number's page", undefined, "token_unreadable");
  return token;
}

export async function requireNumberRow(db: Db, key: { tenantId: string; id: string }, opts: { forUpdate?: boolean } = {}): Promise<NumberRow> {
  const row = await getNumberById(db, key, opts);
  if (!row) throw notFound("Number");
  return row;
}

const FORM_FIELDS: Record<Provider, (keyof NumberRow)[]> = {
  cloud: ["phoneNumberId", "wabaId", "datasetId", "autoLeadSubmitted"],
  green: ["greenApiUrl", "greenInstanceId"],
  gupshup: ["gupshupAppName", "gupshupSourceNumber"],
};

/** The stored values as form input (nulls dropped, secrets absent = keep). */
function storedInput(row: NumberRow): Record<string, unknown> {
  const fields: (keyof NumberRow)[] = ["provider", "label", "phoneE164", "active", "sendRatePerSecond", ...FORM_FIELDS[row.provider as Provider]];
  return Object.fromEntries(fields.filter((f) => row[f] !== null).map((f) => [f, row[f]]));
}

/** Fields whose change means the connection must be checked again. */
const CONNECTION_FIELDS = [
  "phoneE164",
  "phoneNumberId",
  "wabaId",
  "accessTokenEnc",
  "greenApiUrl",
  "greenInstanceId",
  "greenTokenEnc",
  "gupshupAppName",
  "gupshupApiKeyEnc",
] as const;

/**
 * Applies any subset of the fields (PATCH) or a whole edit form: merged with the stored number,
 * then validated whole with the same schema as create. The provider of a number cannot change.
 */
export async function updateNumber(
  db: Db,
  keys: NumberKeys,
  { tenantId, id, patch }: { tenantId: string; id: string; patch: NumberPatch },
): Promise<{ row: NumberRow; connectionChanged: boolean }> {
  const current = await requireNumberRow(db, { tenantId, id });
  if (patch.provider !== undefined && patch.provider !== current.provider) {
    throw new AppError("unprocessable", "The provider of a number cannot be changed; connect a new number instead", {
      fieldErrors: { provider: ["The provider cannot be changed"] },
    });
  }
  if (patch.autoLeadSubmitted !== undefined && current.provider !== "cloud") {
    throw new AppError("unprocessable", "Only Cloud API numbers send conversions to Meta", {
      fieldErrors: { autoLeadSubmitted: ["Only Cloud API numbers send conversions to Meta"] },
    });
  }
  const definedPatch = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const merged: Record<string, unknown> = { ...storedInput(current), ...definedPatch };
  // clearing the dataset turns the automatic events off (they have nowhere to go)
  if (current.provider === "cloud" && patch.autoLeadSubmitted === undefined && (merged.datasetId === null || merged.datasetId === ""))
    merged.autoLeadSubmitted = false;
  const parsed = numberUpdateSchema.safeParse(merged);
  if (!parsed.success) {
    throw new AppError("unprocessable", "Please correct the highlighted fields.", { fieldErrors: z.flattenError(parsed.error).fieldErrors });
  }
  if (parsed.data.provider === "green" && parsed.data.greenApiUrl !== current.greenApiUrl) await assertGreenApiUrlAllowed(parsed.data.greenApiUrl, keys);
  const values = toColumns(parsed.data, keys.encryptionKey);
  const connectionChanged = CONNECTION_FIELDS.some((f) => f in values && values[f] !== current[f]);
  const idChanged = "phoneNumberId" in values && values.phoneNumberId !== current.phoneNumberId;
  if (idChanged) await refuseProvenElsewhere(db, { tenantId, phoneNumberId: values.phoneNumberId });
  const reset = connectionChanged ? { connectionStatus: "unverified" as const, lastError: null, ...(idChanged ? { phoneNumberIdProvenAt: null } : {}) } : {};
  const row = await withConflicts(() => updateNumberRow(db, { tenantId, id }, { ...values, ...reset }));
  if (!row) throw notFound("Number");
  forgetWebhookRouting(); // the app secret or Phone Number ID may have changed
  return { row, connectionChanged };
}

export async function listNumbersPage(db: Db, { tenantId, cursor, limit }: { tenantId: string } & PageParams) {
  const rows = await listNumbers(db, { tenantId, cursor: cursor ? decodeCursor(cursor) : undefined, limit });
  return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }));
}

export async function setNumberActive(db: Db, { tenantId, id, active }: { tenantId: string; id: string; active: boolean }) {
  const row = await updateNumberRow(db, { tenantId, id }, { active });
  if (!row) throw notFound("Number");
  return row;
}

/**
 * Turns the automatic LeadSubmitted conversion on or off (tenant-scoped). Turning it on needs a Cloud API
 * number with a Conversions API dataset; turning it off always works.
 */
export async function setAutoLeadSubmitted(db: Db, { tenantId, id, enabled }: { tenantId: string; id: string; enabled: boolean }): Promise<NumberRow> {
  if (enabled) {
    const current = await requireNumberRow(db, { tenantId, id });
    if (current.provider !== "cloud") {
      throw new AppError("unprocessable", "Only Cloud API numbers send conversions to Meta", undefined, "number_not_cloud");
    }
    if (!current.datasetId) {
      throw new AppError("unprocessable", `${current.label} has no Conversions API dataset yet: fetch or create one first`, undefined, "dataset_missing");
    }
  }
  const row = await updateNumberRow(db, { tenantId, id }, { autoLeadSubmitted: enabled });
  if (!row) throw notFound("Number");
  return row;
}

/** A new verify token (Meta's handshake) or Gupshup callback token; the old one stops working at once. */
export async function rotateNumberToken(db: Db, { tenantId, id, which }: { tenantId: string; id: string; which: "verify" | "gupshup" }) {
  const current = await requireNumberRow(db, { tenantId, id });
  if (which === "gupshup" && current.provider !== "gupshup") {
    throw new AppError("unprocessable", "Only Gupshup numbers have a callback token");
  }
  const row = await updateNumberRow(db, { tenantId, id }, which === "verify" ? { verifyToken: randomToken(24) } : { gupshupWebhookToken: randomToken(24) });
  if (!row) throw notFound("Number");
  return row;
}

const REFERENCE_LABELS: Record<keyof NumberReferences, [string, string]> = {
  subscribers: ["subscriber", "subscribers"],
  conversations: ["conversation", "conversations"],
  messages: ["message", "messages"],
  webhookEvents: ["webhook event", "webhook events"],
  leads: ["lead", "leads"],
  outboundMessages: ["drip message", "drip messages"],
  conversions: ["conversion", "conversions"],
};

export function describeReferences(refs: NumberReferences): string | null {
  const parts = Object.entries(refs)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n >= 1000 ? "1000+" : n} ${REFERENCE_LABELS[k as keyof NumberReferences][n === 1 ? 0 : 1]}`);
  return parts.length ? parts.join(", ") : null;
}

/** Deletes a number nothing refers to; otherwise refuses and says to deactivate it instead. */
export async function deleteNumber(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  return db.transaction(async (tx) => {
    // the row lock makes concurrent inserts that reference the number wait for this decision
    const row = await requireNumberRow(tx, { tenantId, id }, { forUpdate: true });
    const references = await countNumberReferences(tx, { tenantId, id });
    const described = describeReferences(references);
    if (described) {
      throw new AppError(
        "conflict",
        `This number has ${described}, so it cannot be deleted. Deactivate it instead: it will send nothing and keep its history.`,
        {
          references,
        },
      );
    }
    await deleteNumberRow(tx, { tenantId, id });
    forgetWebhookRouting();
    return row;
  });
}
