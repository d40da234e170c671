"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import type { ActionResult } from "@/lib/action";
import { signInSchema } from "@/lib/accounts/schemas";
import { signIn } from "@/lib/auth";

const safeRedirect = (to: string | undefined) => (to && to.startsWith("/") && !to.startsWith("//") ? to : "/dashboard");

export async function signInAction(input: { email: string; password: string; callbackUrl?: string }): Promise<ActionResult<null>> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: "Enter your email and password." };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: safeRedirect(input.callbackUrl) });
    return { ok: true, data: null };
  } catch (e) {
    if (e instanceof CredentialsSignin && e.code.startsWith("throttled:")) {
      const seconds = Number(e.code.split(":")[1]);
      return { ok: false, error: `Too many failed attempts. Try again in ${formatWait(seconds)}.` };
    }
    if (e instanceof AuthError) return { ok: false, error: "Incorrect email or password." };
    throw e; // the redirect after a successful sign-in
  }
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
