// What fetching media needs from the validated environment: the key for number tokens, Graph's address and
// the Green API hosts the operator allows.
import { getEnv } from "@/lib/env";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import type { MediaDeps } from "./media";

export function mediaDepsFromEnv(): MediaDeps {
  const env = getEnv();
  return {
    encryptionKey: env.ENCRYPTION_KEY,
    graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION },
    greenEgress: greenEgressPolicy(env.GREEN_API_HOSTS),
  };
}
