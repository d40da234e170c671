// "Test connection": asks the provider whether the number works and stores what it said.
// Cloud API: GET /{phone-number-id} with the token; the display number must be the entered one.
// Green API: getStateInstance must be `authorized`. Gupshup is confirmed by its first callback.
import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { findPhoneNumberIdOwner, updateNumber as updateNumberRow } from "@/db/queries";
import { openSecret } from "@/lib/crypto";
import { notFound } from "@/lib/errors";
import { formatPhone, phoneDigits } from "@/lib/phone";
import type { EgressPolicy } from "@/lib/egress";
import { DEFAULT_GRAPH_TIMEOUT_MS, type GraphConfig, graphRequest } from "@/lib/graph/client";
import { clip, greenEgressPolicy, greenRequest } from "@/lib/whatsapp/green-client";
import { type ConnectionError, describeConnectionError, graphErrorHint, greenStateError } from "./connection-errors";
import { demoNumberRefusal } from "./demo-number";
import { PROVEN_ELSEWHERE_MESSAGE, requireNumberRow } from "./numbers";
import type { NumberRow } from "@/db/queries";

/** `greenEgress`: where a Green API URL may point (Green's hosts + GREEN_API_HOSTS); Green's hosts only when absent. */
export type ConnectionDeps = { encryptionKey: string; graph: GraphConfig; greenEgress?: EgressPolicy; now: () => Date };

export type CheckResult = {
  status: "connected" | "error" | "unverified";
  message: string;
  error: ConnectionError | null;
  verifiedName?: string | null;
  qualityRating?: string | null;
  messagingLimitTier?: string | null;
  codeVerificationStatus?: string | null;
};

const PHONE_NUMBER_FIELDS = "display_phone_number,verified_name,quality_rating,code_verification_status,messaging_limit_tier";

const phoneNumberResponse = z.looseObject({
  id: z.string().optional(),
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
  quality_rating: z.string().optional(),
  code_verification_status: z.string().optional(),
  messaging_limit_tier: z.string().optional(),
});

const greenStateResponse = z.looseObject({ stateInstance: z.string() });

const missingSecret = (what: string): CheckResult => ({
  status: "error",
  message: `The ${what} cannot be read`,
  error: {
    kind: "not_configured",
    message: `The stored ${what} cannot be decrypted (was ENCRYPTION_KEY changed?)`,
    hint: `Replace the ${what} on the edit page.`,
  },
});

async function checkCloud(row: NumberRow, deps: ConnectionDeps): Promise<CheckResult> {
  const token = openSecret(row.accessTokenEnc, deps.encryptionKey);
  if (!token || !row.phoneNumberId) return missingSecret("access token");
  const res = await graphRequest(deps.graph, {
    path: row.phoneNumberId,
    token,
    query: { fields: PHONE_NUMBER_FIELDS },
    schema: phoneNumberResponse,
  });
  if (!res.ok) {
    // the stored error keeps the fields the page shows, not Graph's whole error object
    const { raw: _raw, ...failure } = res.error.kind === "graph" ? res.error : { ...res.error, raw: undefined };
    const error = { ...failure, message: clip(failure.message), hint: graphErrorHint(res.error) } as ConnectionError;
    return { status: "error", message: describeConnectionError(error), error };
  }
  const found = {
    verifiedName: res.data.verified_name ?? null,
    qualityRating: res.data.quality_rating ?? null,
    messagingLimitTier: res.data.messaging_limit_tier ?? null,
    codeVerificationStatus: res.data.code_verification_status ?? null,
  };
  const display = res.data.display_phone_number ?? "";
  if (phoneDigits(display) !== phoneDigits(row.phoneE164)) {
    const actual = display ? formatPhone(`+${phoneDigits(display)}`) : "no number";
    return {
      status: "error",
      message: `Phone Number ID ${row.phoneNumberId} belongs to ${actual}, not ${formatPhone(row.phoneE164)}`,
      error: {
        kind: "mismatch",
        expected: row.phoneE164,
        actual: display,
        message: `Meta reports ${actual} for this Phone Number ID, but the number entered is ${formatPhone(row.phoneE164)}`,
        hint: "Check that the Phone Number ID and the phone number belong together (WhatsApp → API Setup lists each number with its ID).",
      },
      ...found,
    };
  }
  return { status: "connected", message: `Connected as ${found.verifiedName ?? formatPhone(row.phoneE164)}`, error: null, ...found };
}

async function checkGreen(row: NumberRow, deps: ConnectionDeps): Promise<CheckResult> {
  const token = openSecret(row.greenTokenEnc, deps.encryptionKey);
  if (!token || !row.greenApiUrl || !row.greenInstanceId) return missingSecret("instance token");
  const timeoutMs = deps.graph.timeoutMs ?? DEFAULT_GRAPH_TIMEOUT_MS;
  const res = await greenRequest(deps.greenEgress ?? greenEgressPolicy(), {
    apiUrl: row.greenApiUrl,
    instanceId: row.greenInstanceId,
    token,
    method: "getStateInstance",
    timeoutMs,
  });
  if (!res.ok) {
    const e = res.error;
    if (e.kind === "refused")
      return {
        status: "error",
        message: e.message,
        error: {
          kind: "refused",
          message: e.message,
          hint: "Enter the API URL shown in the Green API console. A self-hosted gateway must be listed in GREEN_API_HOSTS by the operator.",
        },
      };
    if (e.kind === "redirect")
      return {
        status: "error",
        message: e.message,
        error: { kind: "provider_http", httpStatus: e.httpStatus ?? 0, message: e.message, hint: "Copy the API URL again from the Green API console." },
      };
    const hint = e.kind === "timeout" ? "Green API did not answer in time. Check the API URL and try again." : "Check the API URL from the Green API console.";
    return { status: "error", message: e.message, error: { kind: e.kind, message: e.message, hint } };
  }
  const status = res.status;
  if (status !== 200) {
    const hint =
      status === 401 || status === 403 || status === 404
        ? "Green API refused the instance ID or token. Copy both again from the Green API console."
        : "Green API reported an error. Try again in a minute.";
    const message = `Green API answered HTTP ${status}`;
    return { status: "error", message, error: { kind: "provider_http", httpStatus: status, message, hint } };
  }
  const parsed = greenStateResponse.safeParse(res.body);
  if (!parsed.success) {
    const message = "Green API answered without an instance state";
    return {
      status: "error",
      message,
      error: { kind: "provider_http", httpStatus: status, message, hint: "Check the API URL: it should be the one shown in the Green API console." },
    };
  }
  if (parsed.data.stateInstance !== "authorized") {
    const error = greenStateError(parsed.data.stateInstance);
    return { status: "error", message: error.message, error };
  }
  return { status: "connected", message: "The Green API instance is authorized", error: null };
}

function checkGupshup(row: NumberRow): CheckResult {
  return row.lastWebhookAt
    ? { status: "connected", message: "Gupshup is delivering callbacks", error: null }
    : { status: "unverified", message: "Waiting for Gupshup's first callback: set the callback URL in Gupshup and send a message to the number.", error: null };
}

const takenElsewhere = (): CheckResult => ({
  status: "error",
  message: PROVEN_ELSEWHERE_MESSAGE,
  error: { kind: "refused", message: PROVEN_ELSEWHERE_MESSAGE, hint: "Check the Phone Number ID, or ask the other workspace to remove the number." },
});

/**
 * Runs the provider check and stores the outcome (status, verified name, quality, tier, last error). A Cloud
 * number whose token passed the Graph check for its Phone Number ID has proven that id (`proven`): from then on
 * it gets that id's webhooks. An id another workspace proved first is refused.
 */
export async function checkNumberConnection(db: Db, deps: ConnectionDeps, key: { tenantId: string; id: string }) {
  const row = await requireNumberRow(db, key);
  const demo = demoNumberRefusal(row);
  if (demo) return { row, result: { status: row.connectionStatus, message: demo, error: null } satisfies CheckResult, proven: false }; // nothing is called or stored
  let result = row.provider === "cloud" ? await checkCloud(row, deps) : row.provider === "green" ? await checkGreen(row, deps) : checkGupshup(row);
  const proves = row.provider === "cloud" && result.status === "connected" && !row.phoneNumberIdProvenAt && !!row.phoneNumberId;
  if (proves && (await findPhoneNumberIdOwner(db, { phoneNumberId: row.phoneNumberId!, tenantId: row.tenantId }))) result = takenElsewhere();
  const store = (r: CheckResult, prove: boolean) =>
    updateNumberRow(db, key, {
      connectionStatus: r.status,
      lastCheckedAt: deps.now(),
      lastError: r.error as Record<string, unknown> | null,
      ...(r.status === "connected" && row.provider === "cloud"
        ? { verifiedName: r.verifiedName ?? null, qualityRating: r.qualityRating ?? null, messagingLimitTier: r.messagingLimitTier ?? null }
        : {}),
      ...(prove ? { phoneNumberIdProvenAt: deps.now() } : {}),
    });
  let updated;
  try {
    updated = await store(result, proves && result.status === "connected");
  } catch (e) {
    // another workspace proved the same id a moment ago: its claim stands
    if (!isUniqueViolation(e, "whatsapp_numbers_phone_number_id_proven_key")) throw e;
    result = takenElsewhere();
    updated = await store(result, false);
  }
  if (!updated) throw notFound("Number");
  return { row: updated, result, proven: proves && result.status === "connected" };
}
