"use server";

// The signed-in person's own account. These are the only actions that run while an admin-set
// password awaits its change (allowPasswordChange); every other action refuses until then.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { changeOwnPassword, endAllSessions, renameOwnAccount } from "@/lib/accounts/account";
import { accountNameSchema, changePasswordSchema } from "@/lib/accounts/schemas";
import { keepThisSession } from "@/lib/auth";
import { clientAddress } from "@/lib/client-address";
import { getEnv } from "@/lib/env";

const own = { role: "marketer", allowPasswordChange: true } as const;

export const renameAccountAction = defineAction({ ...own, schema: accountNameSchema }, async ({ name }, user) => {
  const result = await renameOwnAccount(await getDb(), { userId: user.id, name });
  revalidatePath("/", "layout");
  return result;
});

/** Checks the current password like a sign-in (throttled), sets the new one, ends the other sessions and keeps this one. */
export const changePasswordAction = defineAction({ ...own, schema: changePasswordSchema }, async (input, user) => {
  const address = clientAddress(await headers(), { trustProxy: getEnv().TRUST_PROXY });
  const { sessionVersion } = await changeOwnPassword(await getDb(), { userId: user.id, input, clientAddress: address, now: new Date() });
  await keepThisSession(user.id, sessionVersion);
  revalidatePath("/", "layout");
  return { wasRequired: user.passwordChangeRequired };
});

/** Ends every other session of the account; this browser stays signed in. */
export const signOutOtherSessionsAction = defineAction({ ...own, schema: z.object({}) }, async (_input, user) => {
  const { sessionVersion } = await endAllSessions(await getDb(), { userId: user.id });
  await keepThisSession(user.id, sessionVersion);
  return null;
});
