// Zernio's getWhatsAppDataset and createWhatsAppDataset on a number's Conversions API dataset. Zernio's
// GET reads only the stored id (it never calls Meta), so ours reads the number; the POST is our
// syncNumberDataset (Meta returns the WABA's existing dataset when there is one).
import type { Db } from "@/db/client";
import { type DatasetDeps, syncNumberDataset } from "@/lib/conversions/dataset";
import { AppError } from "@/lib/errors";
import { requireZernioAccount } from "./accounts";
import { parseZernioInput, zernioDatasetBodySchema, zernioDatasetQuerySchema } from "./schemas";

/** getWhatsAppDataset: the dataset id stored on the number, or null when none is set yet. */
export async function getZernioDataset(db: Db, { tenantId, query }: { tenantId: string; query: unknown }): Promise<{ datasetId: string | null }> {
  const { accountId } = parseZernioInput(zernioDatasetQuerySchema, query);
  const number = await requireZernioAccount(db, { tenantId, accountId });
  return { datasetId: number.datasetId };
}

/**
 * createWhatsAppDataset: creates (or fetches) the WABA's dataset at Meta and keeps its id on the number.
 * `created` is true when the number's dataset id changed on this call (Meta's answer does not say
 * whether it made a new dataset or returned the existing one).
 */
export async function createZernioDataset(
  db: Db,
  deps: DatasetDeps,
  { tenantId, body }: { tenantId: string; body: unknown },
): Promise<{ datasetId: string; created: boolean }> {
  const { accountId } = parseZernioInput(zernioDatasetBodySchema, body);
  const number = await requireZernioAccount(db, { tenantId, accountId });
  const synced = await syncNumberDataset(db, deps, { tenantId, numberId: number.id, create: true });
  if (!synced.datasetId) throw new AppError("provider_error", "Meta answered the dataset request without a dataset id", undefined, "graph_error");
  return { datasetId: synced.datasetId, created: synced.changed };
}
