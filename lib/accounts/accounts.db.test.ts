import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getUserById } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { AppError } from "@/lib/errors";
import { acceptInvite, createInvite, findInvite, listPendingInvites, revokeInvite } from "./invites";
import { createFirstAdmin, isSetupOpen } from "./setup";
import { signInWithPassword } from "./sign-in";
import { EMAIL_ATTEMPT_LIMIT, LOCKOUT_MS } from "./throttle";
import { createUser, removeUser, updateUserAccount } from "./users";

const now = new Date("2026-06-01T12:00:00Z");
const admin = { organisation: "Acme School", name: "Ada Admin", email: "Ada@Example.com", password: "correct horse battery" };

describe.each(testDrivers)("accounts (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  let adminId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.cleanup());

  it("opens setup only while there is no user, then closes it for good", async () => {
    expect(await isSetupOpen(t.db)).toBe(true);
    const { tenant, user } = await createFirstAdmin(t.db, admin);
    tenantId = tenant.id;
    adminId = user.id;
    expect(user).toMatchObject({ email: "ada@example.com", role: "admin" });
    expect(user).not.toHaveProperty("passwordHash");
    expect(await isSetupOpen(t.db)).toBe(false);
    await expect(createFirstAdmin(t.db, { ...admin, email: "other@example.com" })).rejects.toMatchObject({ code: "conflict" });
  });

  it("signs in with the right password, whatever the email's case", async () => {
    const result = await signInWithPassword(t.db, { email: " ADA@example.com ", password: admin.password, now });
    expect(result).toEqual({ ok: true, userId: adminId, sessionVersion: 0 });
    expect((await getUserById(t.db, { tenantId, id: adminId }))?.lastLoginAt).toEqual(now);
  });

  it("gives the same answer for a wrong password and an unknown email", async () => {
    expect(await signInWithPassword(t.db, { email: "ada@example.com", password: "wrong password!", now })).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithPassword(t.db, { email: "nobody@example.com", password: "wrong password!", now })).toEqual({ ok: false, reason: "invalid" });
  });

  it("slows down repeated failures, even for the right password while blocked", async () => {
    const email = "target@example.com";
    await createUser(t.db, { tenantId, input: { name: "Target", email, role: "marketer", password: "the real password" } });
    const results = [];
    for (let i = 0; i < EMAIL_ATTEMPT_LIMIT; i++) results.push(await signInWithPassword(t.db, { email, password: `guess-${i}`, now }));
    expect(results.every((r) => !r.ok && r.reason === "invalid")).toBe(true);
    expect(await signInWithPassword(t.db, { email, password: "the real password", now })).toMatchObject({ reason: "throttled" });
    const later = new Date(now.getTime() + LOCKOUT_MS);
    expect(await signInWithPassword(t.db, { email, password: "the real password", now: later })).toMatchObject({ ok: true });
    // a success clears the record: the next failure is a plain one again
    expect(await signInWithPassword(t.db, { email, password: "wrong", now: later })).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a second user with the same email as a field error", async () => {
    const err = await createUser(t.db, { tenantId, input: { name: "Dup", email: "ada@example.com", role: "manager", password: "0123456789" } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: "conflict",
      details: { fieldErrors: { email: ["This email already has an account: invite it to add it to this workspace"] } },
    });
  });

  it("always keeps one admin and never lets admins demote or remove themselves", async () => {
    await expect(updateUserAccount(t.db, { tenantId, actorId: adminId, userId: adminId, input: { role: "manager" } })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(updateUserAccount(t.db, { tenantId, actorId: null, userId: adminId, input: { role: "manager" } })).rejects.toMatchObject({ code: "conflict" });
    await expect(removeUser(t.db, { tenantId, actorId: adminId, userId: adminId })).rejects.toMatchObject({ code: "forbidden" });
    const second = await createUser(t.db, { tenantId, input: { name: "Bea", email: "bea@example.com", role: "admin", password: "0123456789" } });
    const demoted = await updateUserAccount(t.db, { tenantId, actorId: second.id, userId: adminId, input: { role: "manager", name: "Ada L." } });
    expect(demoted).toMatchObject({ role: "manager", name: "Ada L." });
    await updateUserAccount(t.db, { tenantId, actorId: second.id, userId: adminId, input: { role: "admin" } });
    await removeUser(t.db, { tenantId, actorId: adminId, userId: second.id });
    expect(await getUserById(t.db, { tenantId, id: second.id })).toBeNull();
  });

  it("does not let one tenant touch another tenant's users", async () => {
    const other = await createUser(t.db, { tenantId, input: { name: "Cy", email: "cy@example.com", role: "marketer", password: "0123456789" } });
    const { insertTenant } = await import("@/db/queries");
    const foreign = await insertTenant(t.db, { name: "Foreign" });
    await expect(updateUserAccount(t.db, { tenantId: foreign.id, actorId: null, userId: other.id, input: { name: "x" } })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(removeUser(t.db, { tenantId: foreign.id, actorId: null, userId: other.id })).rejects.toMatchObject({ code: "not_found" });
  });

  it("turns an invite into a user exactly once", async () => {
    const { token, invite } = await createInvite(t.db, { tenantId, invitedBy: adminId, input: { email: "new@example.com", role: "manager" }, now });
    expect(invite).not.toHaveProperty("token");
    expect((await findInvite(t.db, { token, now }))?.state).toBe("open");
    const user = await acceptInvite(t.db, { token, name: "Newbie", password: "0123456789", now });
    expect(user).toMatchObject({ email: "new@example.com", role: "manager", tenantId });
    await expect(acceptInvite(t.db, { token, name: "Again", password: "0123456789", now })).rejects.toMatchObject({ code: "conflict" });
    expect(await signInWithPassword(t.db, { email: "new@example.com", password: "0123456789", now })).toMatchObject({ ok: true });
  });

  it("refuses expired, revoked and unknown invites", async () => {
    const expired = await createInvite(t.db, { tenantId, invitedBy: adminId, input: { email: "late@example.com", role: "marketer" }, now });
    const inEightDays = new Date(now.getTime() + 8 * 86_400_000);
    expect((await findInvite(t.db, { token: expired.token, now: inEightDays }))?.state).toBe("expired");
    await expect(acceptInvite(t.db, { token: expired.token, name: "x", password: "0123456789", now: inEightDays })).rejects.toMatchObject({ code: "conflict" });
    const revoked = await createInvite(t.db, { tenantId, invitedBy: adminId, input: { email: "rev@example.com", role: "marketer" }, now });
    await revokeInvite(t.db, { tenantId, id: revoked.invite.id, now });
    expect((await findInvite(t.db, { token: revoked.token, now }))?.state).toBe("revoked");
    expect(await findInvite(t.db, { token: "not-a-real-token-at-all", now })).toBeNull();
    expect((await listPendingInvites(t.db, { tenantId, now })).map((i) => i.email)).toEqual(["late@example.com"]);
    expect(await listPendingInvites(t.db, { tenantId, now: inEightDays })).toEqual([]);
    await expect(createInvite(t.db, { tenantId, invitedBy: adminId, input: { email: "ada@example.com", role: "marketer" }, now })).rejects.toMatchObject({
      code: "conflict",
    });
  });
});
