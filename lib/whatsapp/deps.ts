import { getEnv } from "@/lib/env";
import type { ProcessingDeps } from "./processing-loop";
import type { ReceiveDeps } from "./receive";

export function receiveDepsFromEnv(): ReceiveDeps {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, metaAppSecret: env.META_APP_SECRET, globalVerifyToken: env.WHATSAPP_VERIFY_TOKEN };
}

/** Where this server processes stored webhooks: a worker thread on PostgreSQL servers, else the request thread. */
export function processingDepsFromEnv(): ProcessingDeps {
  const env = getEnv();
  return { threadDatabaseUrl: env.WEBHOOK_PROCESSING === "thread" ? (env.DATABASE_URL ?? null) : null };
}
