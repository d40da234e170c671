import { getEnv } from "@/lib/env";
import type { ReceiveDeps } from "./receive";

export function receiveDepsFromEnv(): ReceiveDeps {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, metaAppSecret: env.META_APP_SECRET, globalVerifyToken: env.WHATSAPP_VERIFY_TOKEN };
}
