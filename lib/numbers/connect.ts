// Save-then-test: every save that touches the connection is followed by a provider check, so the
// manager learns at once whether the number works.
import type { Db } from "@/db/client";
import { type CheckResult, checkNumberConnection } from "./check-connection";
import type { NumberServiceDeps } from "./deps";
import { createNumber, type PublicNumber, toPublicNumber, updateNumber } from "./numbers";
import type { NumberInput, NumberPatch } from "./schemas";

export type NumberWithCheck = { number: PublicNumber; check: CheckResult | null };

export async function connectNumber(db: Db, deps: NumberServiceDeps, { tenantId, input }: { tenantId: string; input: NumberInput }): Promise<NumberWithCheck> {
  const created = await createNumber(db, deps.keys, { tenantId, input });
  return recheckNumber(db, deps, { tenantId, id: created.id });
}

export async function editNumber(
  db: Db,
  deps: NumberServiceDeps,
  { tenantId, id, patch }: { tenantId: string; id: string; patch: NumberPatch },
): Promise<NumberWithCheck> {
  const { row, connectionChanged } = await updateNumber(db, deps.keys, { tenantId, id, patch });
  if (!connectionChanged) return { number: toPublicNumber(row, deps.keys, { includeWebhook: true }), check: null };
  return recheckNumber(db, deps, { tenantId, id });
}

export async function recheckNumber(db: Db, deps: NumberServiceDeps, key: { tenantId: string; id: string }): Promise<NumberWithCheck & { check: CheckResult }> {
  const { row, result } = await checkNumberConnection(db, deps.connection, key);
  return { number: toPublicNumber(row, deps.keys, { includeWebhook: true }), check: result };
}
