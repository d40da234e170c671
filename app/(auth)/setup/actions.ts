"use server";

import { getDb } from "@/db/client";
import { type ActionResult, toActionFailure } from "@/lib/action";
import { completeSetup } from "@/lib/accounts/complete-setup";
import { setupSchema } from "@/lib/accounts/schemas";
import { signIn } from "@/lib/auth";
import { getEnv } from "@/lib/env";

/** First run only: creates the tenant and its admin (optionally with demo data), then signs in. */
export async function setupAction(input: unknown): Promise<ActionResult<null>> {
  let email: string;
  let password: string;
  try {
    const parsed = setupSchema.parse(input);
    const env = getEnv();
    await completeSetup(await getDb(), {
      input: parsed,
      encryptionKey: env.ENCRYPTION_KEY,
      bootstrapApiKey: env.BOOTSTRAP_API_KEY,
      now: new Date(),
    });
    ({ email, password } = parsed);
  } catch (e) {
    return toActionFailure(e);
  }
  await signIn("credentials", { email, password, redirectTo: "/dashboard" });
  return { ok: true, data: null };
}
