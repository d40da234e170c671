import {
  claimInvite,
  getInviteByTokenHash,
  getMembership,
  getUserIdByEmail,
  insertInvite,
  insertMembership,
  insertUser,
  listOpenInvites,
  lockUser,
  markInvite,
} from "@/db/queries";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { randomToken, sha256Hex } from "@/lib/crypto";
import { AppError, notFound } from "@/lib/errors";
import { hashPassword } from "@/lib/passwords";
import type { InviteUserInput } from "./schemas";
import { signInWithPassword } from "./sign-in";
import { throttledMessage } from "./throttle";

export const INVITE_TTL_DAYS = 7;

const alreadyMember = () =>
  new AppError("conflict", "This person is already a member of this workspace", {
    fieldErrors: { email: ["Already a member of this workspace"] },
  });

/**
 * Creates an invite and returns its token once (only its hash is stored). The email may already
 * have an account (a member of another workspace): accepting then adds a membership to that
 * account, and only its owner can accept (signed in, or with the account's password).
 */
export async function createInvite(
  db: Db,
  { tenantId, invitedBy, input, now }: { tenantId: string; invitedBy: string | null; input: InviteUserInput; now: Date },
) {
  const account = await getUserIdByEmail(db, input.email);
  if (account && (await getMembership(db, { userId: account.id, tenantId }))) throw alreadyMember();
  const token = randomToken(32);
  const invite = await insertInvite(db, {
    tenantId,
    email: input.email,
    role: input.role,
    tokenHash: sha256Hex(token),
    invitedBy,
    expiresAt: new Date(now.getTime() + INVITE_TTL_DAYS * 86_400_000),
  });
  return { invite, token };
}

export async function listPendingInvites(db: Db, { tenantId, now }: { tenantId: string; now: Date }) {
  return listOpenInvites(db, { tenantId, now });
}

export type InviteState = "open" | "expired" | "accepted" | "revoked";

/** Looks an invite up by its token; null when the token matches nothing. `accountExists`: its email already has an account. */
export async function findInvite(db: Db, { token, now }: { token: string; now: Date }) {
  const found = await getInviteByTokenHash(db, sha256Hex(token));
  if (!found) return null;
  const { invite } = found;
  const state: InviteState = invite.revokedAt ? "revoked" : invite.acceptedAt ? "accepted" : invite.expiresAt <= now ? "expired" : "open";
  return { ...found, state, accountExists: (await getUserIdByEmail(db, invite.email)) !== null };
}

async function requireOpenInvite(db: Db, { token, now }: { token: string; now: Date }) {
  const found = await findInvite(db, { token, now });
  if (!found) throw notFound("Invite");
  if (found.state !== "open") throw new AppError("conflict", `This invite is ${found.state}. Ask an admin for a new one.`);
  return found;
}

/** Claims the invite inside the caller's transaction (exactly once, however many tabs submit it). */
async function claim(tx: Db, invite: { id: string }, now: Date) {
  if (!(await claimInvite(tx, { id: invite.id, now }))) throw new AppError("conflict", "This invite was just used. Ask an admin for a new one.");
}

/**
 * Turns an open invite for an email WITHOUT an account into a new account with the name and
 * password chosen here. An email that already has an account is refused: whoever holds the link
 * must not get to set that account's password (they join with joinWithInvite instead).
 */
export async function acceptInvite(db: Db, { token, name, password, now }: { token: string; name: string; password: string; now: Date }) {
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const { invite } = await requireOpenInvite(tx, { token, now });
    if (await getUserIdByEmail(tx, invite.email)) throw accountExists();
    await claim(tx, invite, now);
    try {
      return await insertUser(tx, { tenantId: invite.tenantId, email: invite.email, name, role: invite.role, passwordHash });
    } catch (e) {
      if (isUniqueViolation(e, "users_email_key")) throw accountExists();
      throw e;
    }
  });
}

const accountExists = () => new AppError("conflict", "This email already has an account. Sign in with it (or enter its password) to join.");

/**
 * Adds the workspace of an open invite to an EXISTING account, whose owner the caller has already
 * established (the signed-in user, or a checked password): the account's email must be the
 * invite's. The account's name and password stay as they are.
 */
export async function joinWithInvite(db: Db, { token, userId, now }: { token: string; userId: string; now: Date }) {
  return db.transaction(async (tx) => {
    const { invite, tenantName } = await requireOpenInvite(tx, { token, now });
    const account = await lockUser(tx, userId);
    if (!account) throw notFound("User");
    if (account.email !== invite.email) {
      throw new AppError("forbidden", `This invite is for ${invite.email}. Sign in with that email to accept it.`);
    }
    if (await getMembership(tx, { userId, tenantId: invite.tenantId })) throw new AppError("conflict", `You already belong to ${tenantName}`);
    await claim(tx, invite, now);
    await insertMembership(tx, { userId, tenantId: invite.tenantId, role: invite.role });
    return { userId, email: account.email, tenantId: invite.tenantId, tenantName, role: invite.role };
  });
}

/**
 * joinWithInvite for someone not signed in: they prove they own the invited account with its
 * password, checked (and throttled) exactly as a sign-in is.
 */
export async function joinWithInviteByPassword(
  db: Db,
  { token, password, clientAddress, now }: { token: string; password: string; clientAddress?: string | null; now: Date },
  deps?: Parameters<typeof signInWithPassword>[2],
) {
  const { invite } = await requireOpenInvite(db, { token, now });
  const result = await signInWithPassword(db, { email: invite.email, password, clientAddress, now }, deps);
  if (!result.ok && result.reason === "throttled") {
    throw new AppError("rate_limited", throttledMessage(result.retryAfterSeconds));
  }
  if (!result.ok) throw new AppError("unauthorized", "That password is not right", { fieldErrors: { password: ["Wrong password"] } });
  return joinWithInvite(db, { token, userId: result.userId, now });
}

export async function revokeInvite(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const row = await markInvite(db, { tenantId, id }, { revokedAt: now });
  if (!row) throw notFound("Invite");
  return row;
}
