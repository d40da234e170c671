// A number's Conversions API dataset: read it (GET /{waba-id}/dataset) or create it (POST, which Meta
// makes idempotent: it returns the WABA's existing dataset when there is one), then keep its id on
// the number. Needs the whatsapp_business_manage_events permission on the number's token.
import { z } from "zod";
import type { Db } from "@/db/client";
import { getNumberById, updateNumber } from "@/db/queries";
import { numberAccessToken } from "@/lib/numbers/numbers";
import { AppError, notFound } from "@/lib/errors";
import { type GraphConfig, type GraphFailure, describeGraphFailure, graphRequest } from "@/lib/graph/client";

export type DatasetDeps = { encryptionKey: string; graph: GraphConfig };
export type DatasetResult = { datasetId: string | null; changed: boolean; message: string };

// The exact answer keys are not verified against Meta (specs §4): accept `{ id }` and `{ data: [{ id }] }`.
const datasetAnswer = z.looseObject({
  id: z.string().optional(),
  data: z.array(z.looseObject({ id: z.coerce.string() })).optional(),
});
const datasetIdOf = (a: z.output<typeof datasetAnswer>) => a.id ?? a.data?.[0]?.id ?? null;

function hint(e: GraphFailure): string {
  const text = describeGraphFailure(e);
  if (e.kind !== "graph") return text;
  if (e.code === 190) return `${text}. The access token was rejected: replace it on the number's page.`;
  if (e.code === 10 || e.code === 200 || (e.code !== null && e.code >= 200 && e.code <= 299)) {
    return `${text}. The token needs the whatsapp_business_manage_events permission.`;
  }
  return text;
}

/** Reads the WABA's dataset (and creates one when `create`), stores its id on the number. */
export async function syncNumberDataset(
  db: Db,
  deps: DatasetDeps,
  { tenantId, numberId, create }: { tenantId: string; numberId: string; create: boolean },
): Promise<DatasetResult> {
  const number = await getNumberById(db, { tenantId, id: numberId });
  if (!number) throw notFound("Number");
  if (number.provider !== "cloud" || !number.wabaId) {
    throw new AppError(
      "unprocessable",
      "Datasets belong to a WhatsApp Business Account: only Cloud API numbers with a WABA id have one",
      undefined,
      "number_not_cloud",
    );
  }
  const token = numberAccessToken(number, deps.encryptionKey);
  const res = await graphRequest(deps.graph, { method: create ? "POST" : "GET", path: `${number.wabaId}/dataset`, token, schema: datasetAnswer });
  if (!res.ok)
    throw new AppError(
      "provider_error",
      `Meta did not ${create ? "create" : "return"} the dataset: ${hint(res.error)}`,
      { graph: res.error.kind === "graph" ? res.error.raw : res.error },
      "graph_error",
    );
  const datasetId = datasetIdOf(res.data);
  if (!datasetId) return { datasetId: null, changed: false, message: "This WhatsApp Business Account has no dataset yet; create one." };
  const changed = datasetId !== number.datasetId;
  if (changed) await updateNumber(db, { tenantId, id: number.id }, { datasetId });
  return {
    datasetId,
    changed,
    message: changed ? `Dataset ${datasetId} is now used for this number's conversions.` : `Dataset ${datasetId} was already set.`,
  };
}
