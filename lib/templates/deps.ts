// What reading a number's Meta templates needs from the validated environment: the key for number tokens and Graph's address.
import { getEnv } from "@/lib/env";
import type { MetaTemplateDeps } from "./meta-templates";

export function metaTemplateDepsFromEnv(): MetaTemplateDeps {
  const env = getEnv();
  return { encryptionKey: env.ENCRYPTION_KEY, graph: { base: env.GRAPH_API_BASE, version: env.GRAPH_API_VERSION } };
}
