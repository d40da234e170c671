// A signed-in person's own account: their name, their password (checked through the throttled
// sign-in path) and their sessions. Setting your own password clears the "an admin chose this
// password" mark that holds the console on the Account page.
import { bumpSessionVersion, getAccount, listMembershipsOfUser, lockUser, updateUserIdentity } from "@/db/queries";
import type { Db } from "@/db/client";
import { AppError, notFound } from "@/lib/errors";
import { hashPassword } from "@/lib/passwords";
import type { ChangePasswordInput } from "./schemas";
import { signInWithPassword } from "./sign-in";

async function requireAccount(db: Db, userId: string) {
  const account = await getAccount(db, userId);
  if (!account) throw notFound("Account");
  return account;
}

/** The account's email, name, whether it must change its password, and its workspaces with the role in each. */
export async function getAccountOverview(db: Db, userId: string) {
  const account = await requireAccount(db, userId);
  return { ...account, workspaces: await listMembershipsOfUser(db, userId) };
}

/** Renames the account (every workspace it belongs to sees the new name). */
export async function renameOwnAccount(db: Db, { userId, name }: { userId: string; name: string }) {
  await requireAccount(db, userId);
  await updateUserIdentity(db, userId, { name });
  return { name };
}

const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

/**
 * Sets the account's own password. The current password is checked exactly as at sign-in: the
 * attempt is counted per account and per client address before anything is compared, so this form
 * is no way around the sign-in throttle. The new password ends every other session (the version is
 * bumped; the caller re-issues its own) and clears password_change_required.
 */
export async function changeOwnPassword(
  db: Db,
  { userId, input, clientAddress, now }: { userId: string; input: ChangePasswordInput; clientAddress: string | null; now: Date },
  deps?: Parameters<typeof signInWithPassword>[2],
): Promise<{ sessionVersion: number }> {
  const account = await requireAccount(db, userId);
  const check = await signInWithPassword(db, { email: account.email, password: input.currentPassword, clientAddress, now }, deps);
  if (!check.ok && check.reason === "throttled") {
    const message = `Too many attempts, try again in ${minutes(check.retryAfterSeconds)} minutes`;
    throw new AppError("rate_limited", message, { fieldErrors: { currentPassword: [message] } });
  }
  // signInWithPassword checks the account of that email: it must still be this one
  if (!check.ok || check.userId !== userId) {
    throw new AppError(
      "unprocessable",
      "Your current password is not correct",
      {
        fieldErrors: { currentPassword: ["This is not your current password"] },
      },
      "wrong_password",
    );
  }
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    await lockUser(tx, userId);
    await updateUserIdentity(tx, userId, { passwordHash, passwordChangeRequired: false });
    const sessionVersion = await bumpSessionVersion(tx, userId);
    if (sessionVersion === null) throw notFound("Account");
    return { sessionVersion };
  });
}

/** Ends every session of the account (the caller re-issues its own with the returned version). */
export async function endAllSessions(db: Db, { userId }: { userId: string }): Promise<{ sessionVersion: number }> {
  const sessionVersion = await bumpSessionVersion(db, userId);
  if (sessionVersion === null) throw notFound("Account");
  return { sessionVersion };
}
