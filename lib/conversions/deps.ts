// What the conversions domain needs from the validated environment: the key for number tokens and Graph's address.
import { getEnv } from "@/lib/env";
import type { ConversionDeliveryDeps } from "./deliver";

export function conversionDepsFromEnv(): ConversionDeliveryDeps {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION } };
}
