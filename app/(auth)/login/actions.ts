"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import type { ActionResult } from "@/lib/action";
import { signInSchema } from "@/lib/accounts/schemas";
import { throttledMessage } from "@/lib/accounts/throttle";
import { signIn } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { safeCallbackPath } from "@/lib/safe-redirect";

export async function signInAction(input: { email: string; password: string; callbackUrl?: string }): Promise<ActionResult<null>> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: "Enter your email and password." };
  try {
    // only a path on this console's own origin: "/\evil.example" or "//evil.example" go to the dashboard
    await signIn("credentials", { ...parsed.data, redirectTo: safeCallbackPath(input.callbackUrl, getEnv().APP_URL) });
    return { ok: true, data: null };
  } catch (e) {
    if (e instanceof CredentialsSignin && e.code.startsWith("throttled:")) {
      return { ok: false, error: throttledMessage(Number(e.code.split(":")[1])) };
    }
    if (e instanceof AuthError) return { ok: false, error: "Incorrect email or password." };
    throw e; // the redirect after a successful sign-in
  }
}
