"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { type ActionResult, toActionFailure } from "@/lib/action";
import { acceptInvite, joinWithInvite, joinWithInviteByPassword } from "@/lib/accounts/invites";
import { acceptInviteSchema, joinInviteSchema } from "@/lib/accounts/schemas";
import { currentUser, passwordChangeRequiredError, setActiveWorkspace, signIn } from "@/lib/auth";
import { clientAddress } from "@/lib/client-address";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

const tokenSchema = z.string().min(20).max(200);

/** A new account from an invite for an email that has none yet. */
export async function acceptInviteAction(token: string, input: unknown): Promise<ActionResult<null>> {
  let email: string;
  let password: string;
  try {
    const parsed = acceptInviteSchema.parse(input);
    const user = await acceptInvite(await getDb(), { token: tokenSchema.parse(token), ...parsed, now: new Date() });
    ({ email } = user);
    ({ password } = parsed);
    await setActiveWorkspace(user.tenantId);
  } catch (e) {
    return toActionFailure(e);
  }
  await signIn("credentials", { email, password, redirectTo: "/dashboard" });
  return { ok: true, data: null };
}

/** The invited email's account is signed in here: it joins the workspace as is. The client then loads /dashboard. */
export async function joinInviteAction(token: string): Promise<ActionResult<null>> {
  try {
    const user = await currentUser();
    if (!user) throw new AppError("unauthorized", "Your session has ended. Enter your password instead.");
    // an account still on a password an admin set acts nowhere until its owner chooses one
    if (user.passwordChangeRequired) throw passwordChangeRequiredError();
    const joined = await joinWithInvite(await getDb(), { token: tokenSchema.parse(token), userId: user.id, now: new Date() });
    await setActiveWorkspace(joined.tenantId);
    return { ok: true, data: null };
  } catch (e) {
    return toActionFailure(e);
  }
}

/** Not signed in as the invited email: its account's password proves ownership (throttled like sign-in). */
export async function joinInviteWithPasswordAction(token: string, input: unknown): Promise<ActionResult<null>> {
  try {
    const { password } = joinInviteSchema.parse(input);
    const address = clientAddress(await headers(), { trustProxy: getEnv().TRUST_PROXY });
    const joined = await joinWithInviteByPassword(await getDb(), { token: tokenSchema.parse(token), password, clientAddress: address, now: new Date() });
    await setActiveWorkspace(joined.tenantId);
    // joined either way: if this sign-in fails (it was just checked), /dashboard sends them to /login
    await signIn("credentials", { email: joined.email, password, redirect: false }).catch(() => undefined);
    return { ok: true, data: null };
  } catch (e) {
    return toActionFailure(e);
  }
}
