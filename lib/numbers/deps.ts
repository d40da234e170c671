// The configuration the numbers domain needs, read once from the validated environment.
import { getEnv } from "@/lib/env";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import type { ConnectionDeps } from "./check-connection";
import type { NumberKeys } from "./numbers";

export type NumberServiceDeps = { keys: NumberKeys; connection: ConnectionDeps; metaAppSecret?: string };

export function numberDepsFromEnv(): NumberServiceDeps {
  const env = getEnv();
  const greenEgress = greenEgressPolicy(env.GREEN_API_HOSTS);
  return {
    keys: { encryptionKey: env.ENCRYPTION_KEY, appUrl: env.APP_URL, greenEgress },
    metaAppSecret: env.META_APP_SECRET,
    connection: {
      encryptionKey: env.ENCRYPTION_KEY,
      graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION },
      greenEgress,
      now: () => new Date(),
    },
  };
}
