// Where a conversion its request claimed is delivered after the answer: in the server's processing
// thread on PostgreSQL servers (so the request thread only answers), else right here.
import type { Db } from "@/db/client";
import { processingDepsFromEnv } from "@/lib/whatsapp/deps";
import { postDeliveryToProcessingThread } from "@/lib/whatsapp/processing-thread";
import { type ClaimedConversion, deliverClaimedConversion } from "./deliver";
import { conversionDepsFromEnv } from "./deps";

export async function deliverAfterResponse(db: Db, claimed: ClaimedConversion): Promise<void> {
  const { threadDatabaseUrl } = processingDepsFromEnv();
  if (threadDatabaseUrl && postDeliveryToProcessingThread(threadDatabaseUrl, claimed)) return;
  await deliverClaimedConversion(db, conversionDepsFromEnv(), { claimed });
}
