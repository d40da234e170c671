// Workspaces as a product feature, attacked through the real entry points: a real Auth.js session
// cookie (a JWT minted with AUTH_SECRET) plus the browser's ct_workspace cookie, sent to the
// /api/v1 route handlers and to the console's server actions. Every workspace and membership here
// is made the way the product makes them (setup, create workspace, invites), never by SQL.
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { getMembership, listUsers, updateUserIdentity } from "@/db/queries";
import { type TestDb, testDrivers } from "@/db/testing";
import { acceptInvite, createInvite, joinWithInvite, joinWithInviteByPassword } from "@/lib/accounts/invites";
import { createFirstAdmin } from "@/lib/accounts/setup";
import { signInWithPassword } from "@/lib/accounts/sign-in";
import { EMAIL_ATTEMPT_LIMIT } from "@/lib/accounts/throttle";
import { createUser, removeUser } from "@/lib/accounts/users";
import { createWorkspace } from "@/lib/accounts/workspaces";
import { createApiKey } from "@/lib/api-keys";
import { consoleActionSuite, consoleRequest } from "@/test/console-actions";
import { consoleBrowsers } from "@/test/console-browser";

const SECRET = "workspaces-test-auth-secret-0123456789";
const me = await import("@/app/api/v1/me/route");
const users = await import("@/app/api/v1/users/route");
const oneUser = await import("@/app/api/v1/users/[id]/route");
const consoleActions = await import("./actions");
const inviteActions = await import("@/app/(auth)/invite/[token]/actions");

const { call, act } = consoleBrowsers(consoleRequest, SECRET);

const memberEmails = async (db: Db, tenantId: string) => (await listUsers(db, { tenantId, limit: 50 })).map((u) => u.email).sort();

describe.each(testDrivers)("workspaces and memberships, attacked (%s)", (kind) => {
  const suite = consoleActionSuite(kind, { secret: SECRET, encryptionKey: Buffer.alloc(32, 7).toString("base64") });
  let t: TestDb;
  const now = new Date(); // the invite actions read the clock themselves
  const MIA_PASSWORD = "mia's own password";
  // Ada set the console up (workspace A) and opened B and C for clients; Mia is admin in A, marketer in B
  const ids = { a: "", b: "", c: "", ada: "", mia: "", bea: "", cleo: "", keyB: "" };

  beforeAll(async () => {
    t = suite.t;
    const setup = await createFirstAdmin(t.db, { organisation: "Agency", name: "Ada", email: "ada@example.com", password: "ada's password 1" });
    ids.a = setup.tenant.id;
    ids.ada = setup.user.id;
    ids.b = (await createWorkspace(t.db, { userId: ids.ada, name: "Client B" })).tenantId;
    ids.c = (await createWorkspace(t.db, { userId: ids.ada, name: "Client C" })).tenantId;

    const toA = await createInvite(t.db, { tenantId: ids.a, invitedBy: ids.ada, input: { email: "mia@example.com", role: "admin" }, now });
    ids.mia = (await acceptInvite(t.db, { token: toA.token, name: "Mia", password: MIA_PASSWORD, now })).id;
    const toB = await createInvite(t.db, { tenantId: ids.b, invitedBy: ids.ada, input: { email: "mia@example.com", role: "marketer" }, now });
    await joinWithInviteByPassword(t.db, { token: toB.token, password: MIA_PASSWORD, now });

    ids.bea = (await createUser(t.db, { tenantId: ids.b, input: { name: "Bea", email: "bea@example.com", role: "admin", password: "bea's password 1" } })).id;
    ids.cleo = (
      await createUser(t.db, { tenantId: ids.c, input: { name: "Cleo", email: "cleo@example.com", role: "manager", password: "cleo's password" } })
    ).id;
    // Bea and Cleo have since chosen their own passwords (account.db.test.ts covers the held account)
    for (const id of [ids.bea, ids.cleo]) await updateUserIdentity(t.db, id, { passwordChangeRequired: false });
    ids.keyB = (await createApiKey(t.db, { tenantId: ids.b, name: "B's CRM", createdBy: ids.bea })).secret;
  });

  it("gives a member of A (admin) and B (marketer) B's role while B is active, and A's while A is", async () => {
    expect(await call(me.GET, { uid: ids.mia, workspace: ids.b })).toMatchObject({ status: 200, json: { tenantId: ids.b, role: "marketer" } });
    // B's admin-only list is closed to her there…
    expect((await call(users.GET, { uid: ids.mia, workspace: ids.b })).status).toBe(403);
    // …and open in A, where it lists A's members only
    expect(await call(me.GET, { uid: ids.mia, workspace: ids.a })).toMatchObject({ json: { tenantId: ids.a, role: "admin" } });
    const listA = await call(users.GET, { uid: ids.mia, workspace: ids.a });
    expect((listA.json?.rows as { email: string }[]).map((u) => u.email).sort()).toEqual(["ada@example.com", "mia@example.com"]);
    // no choice yet: her oldest membership (A)
    expect(await call(me.GET, { uid: ids.mia })).toMatchObject({ json: { tenantId: ids.a, role: "admin" } });
  });

  it("falls back to her own oldest workspace when the cookie names one she is not a member of, and never shows its data", async () => {
    for (const forged of [ids.c, crypto.randomUUID(), "not-a-uuid", `${ids.c}' or '1'='1`, ""]) {
      expect(await call(me.GET, { uid: ids.mia, workspace: forged }), forged).toMatchObject({ status: 200, json: { tenantId: ids.a, role: "admin" } });
      const list = await call(users.GET, { uid: ids.mia, workspace: forged });
      expect(JSON.stringify(list.json)).not.toContain("cleo@example.com");
      expect((await call(oneUser.GET, { uid: ids.mia, workspace: forged }, { id: ids.cleo })).status).toBe(404);
    }
  });

  it("refuses to switch (and sets no cookie) to a workspace she is not a member of", async () => {
    for (const tenantId of [ids.c, crypto.randomUUID()]) {
      const { result, set } = await act({ uid: ids.mia, workspace: ids.a }, () => consoleActions.switchWorkspaceAction({ tenantId }));
      expect(result).toEqual({ ok: false, error: "You are not a member of that workspace" });
      expect(set).toEqual([]);
    }
    const garbage = await act({ uid: ids.mia }, () => consoleActions.switchWorkspaceAction({ tenantId: "' or 1=1 --" }));
    expect(garbage.result).toMatchObject({ ok: false, fieldErrors: { tenantId: expect.any(Array) } });
    expect(garbage.set).toEqual([]);
    // signed out: nothing to switch
    expect((await act(null, () => consoleActions.switchWorkspaceAction({ tenantId: ids.b }))).result).toMatchObject({ ok: false });
  });

  it("switches to a workspace she belongs to with an httpOnly, SameSite=Lax cookie", async () => {
    const { result, set } = await act({ uid: ids.mia, workspace: ids.a }, () => consoleActions.switchWorkspaceAction({ tenantId: ids.b }));
    expect(result).toEqual({ ok: true, data: { tenantId: ids.b } });
    expect(set).toEqual([{ name: "ct_workspace", value: ids.b, options: expect.objectContaining({ httpOnly: true, sameSite: "lax", path: "/" }) }]);
  });

  it("lets B's admin change Mia's role in B only, but not the name or password she shares with A", async () => {
    const bea = { uid: ids.bea, workspace: ids.b };
    const demote = await call(oneUser.PATCH, bea, { method: "PATCH", id: ids.mia, body: { role: "manager" } });
    expect(demote).toMatchObject({ status: 200, json: { tenantId: ids.b, role: "manager" } });
    expect((await getMembership(t.db, { userId: ids.mia, tenantId: ids.a }))?.role).toBe("admin");
    // a password set by B's admin would open A to them: refused, by session and by B's API key
    for (const who of [{ b: bea }, { b: null, bearer: ids.keyB }]) {
      const takeover = await call(oneUser.PATCH, who.b, { method: "PATCH", id: ids.mia, body: { password: "bea knows this one" }, bearer: who.bearer });
      expect(takeover.status).toBe(403);
      expect((await call(oneUser.PATCH, who.b, { method: "PATCH", id: ids.mia, body: { name: "Mallory" }, bearer: who.bearer })).status).toBe(403);
    }
    expect(await signInWithPassword(t.db, { email: "mia@example.com", password: "bea knows this one", now })).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithPassword(t.db, { email: "mia@example.com", password: MIA_PASSWORD, now })).toMatchObject({ ok: true });
    // sending her unchanged name with the role (as the console's form does) is not a rename
    expect((await call(oneUser.PATCH, bea, { method: "PATCH", id: ids.mia, body: { name: "Mia", role: "marketer" } })).status).toBe(200);
    // Ada administers both of Mia's workspaces: she may
    expect((await call(oneUser.PATCH, { uid: ids.ada, workspace: ids.b }, { method: "PATCH", id: ids.mia, body: { name: "Mia M." } })).status).toBe(200);
  });

  it("ends access to a workspace at the next request once the membership is removed", async () => {
    const inB = { uid: ids.mia, workspace: ids.b };
    expect(await call(me.GET, inB)).toMatchObject({ json: { tenantId: ids.b } });
    await removeUser(t.db, { tenantId: ids.b, actorId: ids.bea, userId: ids.mia });
    // same session, same cookie: B is gone, she is back in A with A's role
    expect(await call(me.GET, inB)).toMatchObject({ status: 200, json: { tenantId: ids.a, role: "admin" } });
    expect((await act(inB, () => consoleActions.switchWorkspaceAction({ tenantId: ids.b }))).result).toMatchObject({ ok: false });
    expect(await memberEmails(t.db, ids.b)).toEqual(["ada@example.com", "bea@example.com"]);
    // her account stays (A), and so does A's membership
    expect(await signInWithPassword(t.db, { email: "mia@example.com", password: MIA_PASSWORD, now })).toMatchObject({ ok: true });
  });

  it("never lets an invite link take over an existing account", async () => {
    const invite = await createInvite(t.db, { tenantId: ids.c, invitedBy: ids.ada, input: { email: "mia@example.com", role: "admin" }, now });
    // whoever holds the link cannot set a name and password for an email that has an account
    await expect(acceptInvite(t.db, { token: invite.token, name: "Mallory", password: "mallory's password", now })).rejects.toMatchObject({ code: "conflict" });
    expect(await signInWithPassword(t.db, { email: "mia@example.com", password: "mallory's password", now })).toEqual({ ok: false, reason: "invalid" });
    // nor join with a guessed password, and guessing is throttled like sign-in
    await expect(joinWithInviteByPassword(t.db, { token: invite.token, password: "guess", now })).rejects.toMatchObject({ code: "unauthorized" });
    // nor join as another signed-in account (Cleo is signed in and holds Mia's link)
    await expect(joinWithInvite(t.db, { token: invite.token, userId: ids.cleo, now })).rejects.toMatchObject({ code: "forbidden" });
    const asCleo = await act({ uid: ids.cleo }, () => inviteActions.joinInviteAction(invite.token));
    expect(asCleo.result).toMatchObject({ ok: false, error: expect.stringContaining("mia@example.com") });
    expect(asCleo.set).toEqual([]);
    expect(await getMembership(t.db, { userId: ids.mia, tenantId: ids.c })).toBeNull();
    expect(await getMembership(t.db, { userId: ids.cleo, tenantId: ids.c })).toMatchObject({ role: "manager" });
    expect(await call(me.GET, { uid: ids.mia, workspace: ids.c })).toMatchObject({ json: { tenantId: ids.a } });

    const later = new Date(now.getTime() + 1);
    for (let i = 1; i < EMAIL_ATTEMPT_LIMIT; i++)
      await joinWithInviteByPassword(t.db, { token: invite.token, password: `guess-${i}`, now: later }).catch(() => null);
    await expect(joinWithInviteByPassword(t.db, { token: invite.token, password: MIA_PASSWORD, now: later })).rejects.toMatchObject({ code: "rate_limited" });
    expect(await getMembership(t.db, { userId: ids.mia, tenantId: ids.c })).toBeNull();
  });

  it("adds the workspace to the invited account when its owner accepts, signed in, keeping her name and password", async () => {
    const invite = await createInvite(t.db, { tenantId: ids.c, invitedBy: ids.ada, input: { email: "mia@example.com", role: "marketer" }, now });
    const { result, set } = await act({ uid: ids.mia, workspace: ids.a }, () => inviteActions.joinInviteAction(invite.token));
    expect(result).toEqual({ ok: true, data: null });
    expect(set).toEqual([expect.objectContaining({ name: "ct_workspace", value: ids.c })]);
    expect(await call(me.GET, { uid: ids.mia, workspace: ids.c })).toMatchObject({ json: { tenantId: ids.c, role: "marketer" } });
    // the link works once; an admin cannot invite a current member again
    await expect(joinWithInvite(t.db, { token: invite.token, userId: ids.mia, now })).rejects.toMatchObject({ code: "conflict" });
    await expect(createInvite(t.db, { tenantId: ids.c, invitedBy: ids.ada, input: { email: "mia@example.com", role: "admin" }, now })).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("makes the creator of a workspace its admin there and only there, and switches her to it", async () => {
    const { result, set } = await act({ uid: ids.mia, workspace: ids.a }, () => consoleActions.createWorkspaceAction({ name: "Client D" }));
    expect(result).toMatchObject({ ok: true, data: { tenantName: "Client D", role: "admin" } });
    const d = (result as { data: { tenantId: string } }).data.tenantId;
    expect(set).toEqual([expect.objectContaining({ name: "ct_workspace", value: d })]);
    expect(await memberEmails(t.db, d)).toEqual(["mia@example.com"]);
    expect(await call(me.GET, { uid: ids.mia, workspace: d })).toMatchObject({ json: { tenantId: d, role: "admin" } });
    // her other roles are untouched, and D is nobody else's
    expect(await call(me.GET, { uid: ids.mia, workspace: ids.c })).toMatchObject({ json: { tenantId: ids.c, role: "marketer" } });
    expect(await call(me.GET, { uid: ids.ada, workspace: d })).toMatchObject({ json: { tenantId: ids.a } });
    expect((await act({ uid: ids.ada }, () => consoleActions.switchWorkspaceAction({ tenantId: d }))).result).toMatchObject({ ok: false });
    // an empty workspace: no users of anyone else's, no API keys
    expect(JSON.stringify((await call(users.GET, { uid: ids.mia, workspace: d })).json)).not.toContain("ada@example.com");
  });

  it("refuses to create a workspace for someone who is an admin nowhere", async () => {
    // Cleo is a manager in C and a marketer nowhere else
    const { result, set } = await act({ uid: ids.cleo, workspace: ids.c }, () => consoleActions.createWorkspaceAction({ name: "Cleo's own" }));
    expect(result).toEqual({ ok: false, error: "Only an admin of a workspace can create another workspace" });
    expect(set).toEqual([]);
    await expect(createWorkspace(t.db, { userId: ids.cleo, name: "Direct" })).rejects.toMatchObject({ code: "forbidden" });
  });

  it("deletes the account when its last membership is removed; its session ends at the next request", async () => {
    const toB = await createInvite(t.db, { tenantId: ids.b, invitedBy: ids.ada, input: { email: "cleo@example.com", role: "marketer" }, now });
    await joinWithInviteByPassword(t.db, { token: toB.token, password: "cleo's password", now });
    await removeUser(t.db, { tenantId: ids.c, actorId: ids.ada, userId: ids.cleo });
    expect(await call(me.GET, { uid: ids.cleo, workspace: ids.c })).toMatchObject({ status: 200, json: { tenantId: ids.b, role: "marketer" } });
    await removeUser(t.db, { tenantId: ids.b, actorId: ids.bea, userId: ids.cleo });
    expect((await call(me.GET, { uid: ids.cleo, workspace: ids.b })).status).toBe(401);
    expect(await signInWithPassword(t.db, { email: "cleo@example.com", password: "cleo's password", now })).toEqual({ ok: false, reason: "invalid" });
    // the workspace's last admin stays, per workspace
    await expect(removeUser(t.db, { tenantId: ids.b, actorId: ids.ada, userId: ids.bea })).resolves.toBeTruthy();
    await expect(removeUser(t.db, { tenantId: ids.b, actorId: null, userId: ids.ada })).rejects.toMatchObject({ code: "conflict" });
  });
});
