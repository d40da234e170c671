// Save-then-test: every save that touches the connection is followed by a provider check, so the
// manager learns at once whether the number works.
import type { Db } from "@/db/client";
import type { NumberRow } from "@/db/queries";
import { decryptSecret } from "@/lib/crypto";
import { issueGreenWebhookToken } from "@/lib/green/webhook-token";
import { forgetWebhookRouting } from "@/lib/whatsapp/receive";
import { adoptUnroutedEvents } from "@/lib/whatsapp/unrouted";
import { type CheckResult, checkNumberConnection } from "./check-connection";
import type { NumberServiceDeps } from "./deps";
import { createNumber, type PublicNumber, toPublicNumber, updateNumber } from "./numbers";
import type { NumberInput, NumberPatch } from "./schemas";

export type NumberWithCheck = { number: PublicNumber; check: CheckResult | null };

export async function connectNumber(
  db: Db,
  deps: NumberServiceDeps,
  { tenantId, input }: { tenantId: string; input: NumberInput },
): Promise<NumberWithCheck & { check: CheckResult }> {
  const created = await createNumber(db, deps.keys, { tenantId, input });
  if (created.provider === "green") await issueGreenWebhookToken(db, deps.keys, { tenantId, id: created.id });
  forgetWebhookRouting();
  return recheckNumber(db, deps, { tenantId, id: created.id });
}

/**
 * Webhooks that arrived for this Phone Number ID before it was proven are checked with the number's own app
 * secret and processed now. Only a number whose token passed the Graph check adopts anything.
 */
async function adoptWaitingWebhooks(db: Db, deps: NumberServiceDeps, row: NumberRow): Promise<void> {
  forgetWebhookRouting();
  if (row.provider !== "cloud" || !row.phoneNumberId || !row.phoneNumberIdProvenAt) return;
  let appSecret: string | null = null;
  try {
    appSecret = row.appSecretEnc ? decryptSecret(row.appSecretEnc, deps.keys.encryptionKey) : null;
  } catch {
    appSecret = null;
  }
  try {
    const number = { id: row.id, tenantId: row.tenantId, phoneNumberId: row.phoneNumberId, appSecret };
    await adoptUnroutedEvents(db, { number, metaAppSecret: deps.metaAppSecret, now: deps.connection.now() });
  } catch (e) {
    // the number is saved either way; the events stay unrouted and are adopted at the next check or secret change
    console.error("[clicktrail] could not process the webhooks waiting for this number", e);
  }
}

export async function editNumber(
  db: Db,
  deps: NumberServiceDeps,
  { tenantId, id, patch }: { tenantId: string; id: string; patch: NumberPatch },
): Promise<NumberWithCheck> {
  const { row, connectionChanged } = await updateNumber(db, deps.keys, { tenantId, id, patch });
  if (!connectionChanged) {
    // a new app secret may verify events that waited for this (proven) number
    if (patch.appSecret) await adoptWaitingWebhooks(db, deps, row);
    return { number: toPublicNumber(row, deps.keys, { includeWebhook: true }), check: null };
  }
  return recheckNumber(db, deps, { tenantId, id });
}

export async function recheckNumber(db: Db, deps: NumberServiceDeps, key: { tenantId: string; id: string }): Promise<NumberWithCheck & { check: CheckResult }> {
  const { row, result } = await checkNumberConnection(db, deps.connection, key);
  // a proven number takes what waited for its id (idempotent: a later check picks up what an earlier one could not)
  await adoptWaitingWebhooks(db, deps, row);
  return { number: toPublicNumber(row, deps.keys, { includeWebhook: true }), check: result };
}
