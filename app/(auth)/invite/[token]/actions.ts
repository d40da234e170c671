"use server";

import { z } from "zod";
import { getDb } from "@/db/client";
import { type ActionResult, toActionFailure } from "@/lib/action";
import { acceptInvite } from "@/lib/accounts/invites";
import { acceptInviteSchema } from "@/lib/accounts/schemas";
import { signIn } from "@/lib/auth";

const tokenSchema = z.string().min(20).max(200);

export async function acceptInviteAction(token: string, input: unknown): Promise<ActionResult<null>> {
  let email: string;
  let password: string;
  try {
    const parsed = acceptInviteSchema.parse(input);
    const user = await acceptInvite(await getDb(), { token: tokenSchema.parse(token), ...parsed, now: new Date() });
    ({ email } = user);
    ({ password } = parsed);
  } catch (e) {
    return toActionFailure(e);
  }
  await signIn("credentials", { email, password, redirectTo: "/dashboard" });
  return { ok: true, data: null };
}
