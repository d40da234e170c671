import { emailInUse, getInviteByTokenHash, insertInvite, insertUser, listOpenInvites, markInvite } from "@/db/queries";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { randomToken, sha256Hex } from "@/lib/crypto";
import { AppError, notFound } from "@/lib/errors";
import { hashPassword } from "@/lib/passwords";
import type { InviteUserInput } from "./schemas";
import { emailTaken } from "./users";

export const INVITE_TTL_DAYS = 7;

/** Creates an invite and returns its token once (only its hash is stored). */
export async function createInvite(
  db: Db,
  { tenantId, invitedBy, input, now }: { tenantId: string; invitedBy: string | null; input: InviteUserInput; now: Date },
) {
  if (await emailInUse(db, input.email)) throw emailTaken();
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

/** Looks an invite up by its token; null when the token matches nothing. */
export async function findInvite(db: Db, { token, now }: { token: string; now: Date }) {
  const found = await getInviteByTokenHash(db, sha256Hex(token));
  if (!found) return null;
  const { invite } = found;
  const state: InviteState = invite.revokedAt
    ? "revoked"
    : invite.acceptedAt
      ? "accepted"
      : invite.expiresAt <= now
        ? "expired"
        : "open";
  return { ...found, state };
}

/** Turns an open invite into a user (exactly once: the invite row is locked while accepting). */
export async function acceptInvite(
  db: Db,
  { token, name, password, now }: { token: string; name: string; password: string; now: Date },
) {
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const found = await findInvite(tx, { token, now });
    if (!found) throw notFound("Invite");
    if (found.state !== "open") throw new AppError("conflict", `This invite is ${found.state}. Ask an admin for a new one.`);
    const claimed = await markInvite(tx, { tenantId: found.invite.tenantId, id: found.invite.id }, { acceptedAt: now });
    if (!claimed) throw notFound("Invite");
    try {
      return await insertUser(tx, {
        tenantId: found.invite.tenantId,
        email: found.invite.email,
        name,
        role: found.invite.role,
        passwordHash,
      });
    } catch (e) {
      if (isUniqueViolation(e, "users_email_key")) throw emailTaken();
      throw e;
    }
  });
}

export async function revokeInvite(db: Db, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const row = await markInvite(db, { tenantId, id }, { revokedAt: now });
  if (!row) throw notFound("Invite");
  return row;
}
