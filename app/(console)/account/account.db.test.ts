// Your own account and admin-set passwords, through the real entry points: a real Auth.js session
// cookie (a JWT minted with AUTH_SECRET) sent to the Account page's server actions, to requireUser
// (what every console page calls first) and to the /api/v1 route handlers. The session re-issued
// after a password change is the cookie Auth.js itself sets.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { getAccount } from "@/db/queries";
import { authThrottle } from "@/db/schema";
import { type TestDb, testDrivers } from "@/db/testing";
import { acceptInvite, createInvite, joinWithInviteByPassword } from "@/lib/accounts/invites";
import { createFirstAdmin } from "@/lib/accounts/setup";
import { signInWithPassword } from "@/lib/accounts/sign-in";
import { EMAIL_ATTEMPT_LIMIT, emailThrottleKey } from "@/lib/accounts/throttle";
import { createUser } from "@/lib/accounts/users";
import { createWorkspace } from "@/lib/accounts/workspaces";
import { createApiKey } from "@/lib/api-keys";
import { consoleActionSuite, consoleRequest } from "@/test/console-actions";
import { type Browser, CONSOLE_APP, consoleBrowsers, SESSION_COOKIE } from "@/test/console-browser";

// the request next/headers answers (test/console-actions.ts); the session tests below set it by hand
const current = consoleRequest;

const APP = CONSOLE_APP;
const SECRET = "account-test-auth-secret-0123456789abc";
const COOKIE = SESSION_COOKIE;
const me = await import("@/app/api/v1/me/route");
const oneUser = await import("@/app/api/v1/users/[id]/route");
const account = await import("./actions");
const consoleActions = await import("../actions");
const settingsActions = await import("../settings/actions");
const inviteActions = await import("@/app/(auth)/invite/[token]/actions");
const { requireUser } = await import("@/lib/auth");

const { cookieOf, call, act } = consoleBrowsers(current, SECRET);

/** Where a page sends the browser (Next's redirect() throws an error whose digest names the URL), or "rendered". */
async function pageOutcome(b: Browser, opts: Parameters<typeof requireUser>[0] = {}) {
  try {
    await act(b, () => requireUser(opts));
    return "rendered";
  } catch (e) {
    const digest = String((e as { digest?: unknown }).digest ?? e);
    return digest.startsWith("NEXT_REDIRECT") ? digest.split(";")[2] : digest;
  }
}

const throttleCount = async (db: Db, email: string) =>
  (
    await db
      .select()
      .from(authThrottle)
      .where(eq(authThrottle.key, emailThrottleKey(email)))
  )[0]?.failures ?? 0;

describe.each(testDrivers)("your account and admin-set passwords (%s)", (kind) => {
  const suite = consoleActionSuite(kind, { secret: SECRET, encryptionKey: Buffer.alloc(32, 7).toString("base64") });
  let t: TestDb;
  const now = new Date();
  const ids = { a: "", b: "", ada: "", mia: "", bea: "", keyA: "" };

  beforeAll(async () => {
    t = suite.t;
    const setup = await createFirstAdmin(t.db, { organisation: "Agency", name: "Ada", email: "ada@example.com", password: "ada's password 1" });
    ids.a = setup.tenant.id;
    ids.ada = setup.user.id;
    ids.b = (await createWorkspace(t.db, { userId: ids.ada, name: "Client B" })).tenantId;
    // Mia chose her own password through an invite to A, then joined B (marketer) with it
    const toA = await createInvite(t.db, { tenantId: ids.a, invitedBy: ids.ada, input: { email: "mia@example.com", role: "admin" }, now });
    ids.mia = (await acceptInvite(t.db, { token: toA.token, name: "Mia", password: "mia's own password", now })).id;
    const toB = await createInvite(t.db, { tenantId: ids.b, invitedBy: ids.ada, input: { email: "mia@example.com", role: "marketer" }, now });
    await joinWithInviteByPassword(t.db, { token: toB.token, password: "mia's own password", now });
    ids.keyA = (await createApiKey(t.db, { tenantId: ids.a, name: "A's CRM", createdBy: ids.ada })).secret;
  });

  it("marks no password a person chose themselves (first-run setup, invite acceptance)", async () => {
    expect((await getAccount(t.db, ids.ada))?.passwordChangeRequired).toBe(false);
    expect((await getAccount(t.db, ids.mia))?.passwordChangeRequired).toBe(false);
  });

  it("holds a member an admin created on /account until they choose their own password; then everything works", async () => {
    const { result } = await act({ uid: ids.ada }, () =>
      settingsActions.createUserAction({ name: "Bea", email: "bea@example.com", role: "manager", password: "ada chose this 1" }),
    );
    expect(result).toMatchObject({ ok: true });
    ids.bea = (result as { ok: true; data: { id: string } }).data.id;
    const bea = { uid: ids.bea };

    // every page redirects to the Account page, which itself renders
    expect(await pageOutcome(bea)).toBe("/account?required=password");
    expect(await pageOutcome(bea, { role: "marketer" })).toBe("/account?required=password");
    expect(await pageOutcome(bea, { allowPasswordChange: true })).toBe("rendered");
    // other actions refuse; cookie API calls answer 403 password_change_required
    const refused = await act(bea, () => consoleActions.switchWorkspaceAction({ tenantId: ids.a }));
    expect(refused.result).toEqual({ ok: false, error: "An admin set your password: choose your own on your Account page first" });
    expect(await call(me.GET, bea)).toEqual({
      status: 403,
      json: { error: { code: "password_change_required", message: "An admin set your password: choose your own on your Account page first" } },
    });
    // the account's own actions run; API keys are unaffected
    expect((await act(bea, () => account.renameAccountAction({ name: "Bea B." }))).result).toEqual({ ok: true, data: { name: "Bea B." } });
    expect((await call(oneUser.GET, null, { id: ids.bea, bearer: ids.keyA })).status).toBe(200);

    // keeping the admin's password is not choosing one
    const same = await act(bea, () =>
      account.changePasswordAction({ currentPassword: "ada chose this 1", newPassword: "ada chose this 1", confirmPassword: "ada chose this 1" }),
    );
    expect(same.result).toMatchObject({ ok: false, fieldErrors: { newPassword: ["Choose a password different from the current one"] } });

    const changed = await act(bea, () =>
      account.changePasswordAction({ currentPassword: "ada chose this 1", newPassword: "bea's very own", confirmPassword: "bea's very own" }),
    );
    expect(changed.result).toEqual({ ok: true, data: { wasRequired: true } });
    expect(changed.session).toBeTruthy();
    const beaNow = { uid: ids.bea, token: changed.session };
    expect(await pageOutcome(beaNow)).toBe("rendered");
    expect(await call(me.GET, beaNow)).toMatchObject({ status: 200, json: { userId: ids.bea, role: "manager" } });
    expect((await act(beaNow, () => consoleActions.switchWorkspaceAction({ tenantId: ids.a }))).result).toEqual({ ok: true, data: { tenantId: ids.a } });
    // the session from before the change (the one the admin's password opened) is over
    expect((await call(me.GET, bea)).status).toBe(401);
    expect(await signInWithPassword(t.db, { email: "bea@example.com", password: "ada chose this 1", now: new Date() })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await signInWithPassword(t.db, { email: "bea@example.com", password: "bea's very own", now: new Date() })).toMatchObject({ ok: true });
    expect(await getAccount(t.db, ids.bea)).toMatchObject({ name: "Bea B.", passwordChangeRequired: false });
  });

  it("holds a member again when an admin sets their password, by session or API key; an admin's own change holds nobody", async () => {
    const reset = await call(oneUser.PATCH, { uid: ids.ada }, { method: "PATCH", id: ids.bea, body: { password: "ada knows it again" } });
    expect(reset.status).toBe(200);
    expect((await getAccount(t.db, ids.bea))?.passwordChangeRequired).toBe(true);
    expect(await call(me.GET, { uid: ids.bea, sv: 2 })).toMatchObject({ status: 403, json: { error: { code: "password_change_required" } } });
    expect(await pageOutcome({ uid: ids.bea, sv: 2 })).toBe("/account?required=password");

    // an API key of the only workspace Bea belongs to may too (the rule for admins, unchanged)
    const byKey = await call(oneUser.PATCH, null, { method: "PATCH", id: ids.bea, bearer: ids.keyA, body: { password: "the CRM set this" } });
    expect(byKey.status).toBe(200);
    expect((await getAccount(t.db, ids.bea))?.passwordChangeRequired).toBe(true);
    // Ada changing her own password in Settings chose it herself
    const own = await act({ uid: ids.ada }, () => settingsActions.updateUserAction({ id: ids.ada, input: { password: "ada's new password" } }));
    expect(own.result).toMatchObject({ ok: true });
    expect((await getAccount(t.db, ids.ada))?.passwordChangeRequired).toBe(false);
  });

  it("lets a held account join no other workspace while signed in on the admin's password", async () => {
    expect((await getAccount(t.db, ids.bea))?.passwordChangeRequired).toBe(true);
    const invite = await createInvite(t.db, { tenantId: ids.b, invitedBy: ids.ada, input: { email: "bea@example.com", role: "marketer" }, now: new Date() });
    const joined = await act({ uid: ids.bea, sv: await getSvOf(t.db, ids.bea) }, () => inviteActions.joinInviteAction(invite.token));
    expect(joined.result).toMatchObject({ ok: false, error: "An admin set your password: choose your own on your Account page first" });
    expect(await call(me.GET, { uid: ids.bea, sv: await getSvOf(t.db, ids.bea) })).toMatchObject({ status: 403 });
  });

  it("refuses a wrong current password, counting it like a sign-in, and refuses every password once the account is locked", async () => {
    const mia = { uid: ids.mia };
    const before = await throttleCount(t.db, "mia@example.com");
    const wrong = await act(mia, () =>
      account.changePasswordAction({ currentPassword: "not her password", newPassword: "a new password 1", confirmPassword: "a new password 1" }),
    );
    expect(wrong.result).toEqual({
      ok: false,
      error: "Your current password is not correct",
      fieldErrors: { currentPassword: ["This is not your current password"] },
    });
    expect(wrong.session).toBeUndefined();
    expect(await throttleCount(t.db, "mia@example.com")).toBe(before + 1);
    for (let i = before + 1; i <= EMAIL_ATTEMPT_LIMIT; i++) {
      await act(mia, () =>
        account.changePasswordAction({ currentPassword: `guess ${i}`, newPassword: "a new password 1", confirmPassword: "a new password 1" }),
      );
    }
    // past the limit the right password is refused too, and sign-in is locked as well
    const right = await act(mia, () =>
      account.changePasswordAction({ currentPassword: "mia's own password", newPassword: "a new password 1", confirmPassword: "a new password 1" }),
    );
    expect(right.result).toMatchObject({ ok: false, error: expect.stringMatching(/^Too many attempts, try again in \d+ minutes$/) });
    expect(await signInWithPassword(t.db, { email: "mia@example.com", password: "mia's own password", now: new Date() })).toMatchObject({
      reason: "throttled",
    });
    expect(await signInWithPassword(t.db, { email: "mia@example.com", password: "a new password 1", now: new Date(Date.now() + 16 * 60_000) })).toEqual({
      ok: false,
      reason: "invalid",
    });
  });

  it("signs out the other sessions and keeps this one", async () => {
    const laptop = { uid: ids.ada, sv: await getSvOf(t.db, ids.ada) };
    const phone = { ...laptop };
    expect((await call(me.GET, phone)).status).toBe(200);
    const out = await act(laptop, () => account.signOutOtherSessionsAction({}));
    expect(out.result).toEqual({ ok: true, data: null });
    expect(out.session).toBeTruthy();
    expect((await call(me.GET, phone)).status).toBe(401);
    expect((await call(me.GET, laptop)).status).toBe(401); // the old token…
    expect((await call(me.GET, { uid: ids.ada, token: out.session })).status).toBe(200); // …replaced by the re-issued one
  });

  it("never lets a browser move its own session to a newer version (Auth.js session update without the server's proof)", async () => {
    const sv = await getSvOf(t.db, ids.ada);
    const stale = { uid: ids.ada, sv: sv - 1 };
    const authRoute = await import("@/app/api/auth/[...nextauth]/route");
    const base = { host: "console.test", "x-forwarded-proto": "http", origin: APP };
    // what useSession().update(data) sends: the CSRF token (cookie and body) and any data the page likes
    current.headers = new Headers({ ...base, cookie: await cookieOf(stale) });
    const csrf = await authRoute.GET(new Request(`${APP}/api/auth/csrf`, { headers: current.headers }) as never);
    const csrfCookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const headers = new Headers({ ...base, "content-type": "application/json", cookie: `${await cookieOf(stale)}; ${csrfCookie}` });
    for (const data of [{ reissue: { sv, proof: "forged" } }, { sessionVersion: sv }, { sv }]) {
      current.headers = headers;
      const res = await authRoute.POST(new Request(`${APP}/api/auth/session`, { method: "POST", headers, body: JSON.stringify({ csrfToken, data }) }) as never);
      const token = res.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${COOKIE}=`))
        ?.split(";")[0]
        ?.slice(COOKIE.length + 1);
      expect(token).toBeTruthy(); // Auth.js re-encoded the token: with its old version
      expect((await call(me.GET, { uid: ids.ada, token })).status).toBe(401);
    }
  });

  it("lets an admin set the password of a member of several workspaces only when they administer them all", async () => {
    // Cleo is admin of B alone; Mia is admin in A and marketer in B
    const cleo = await createUser(t.db, { tenantId: ids.b, input: { name: "Cleo", email: "cleo@example.com", role: "admin", password: "ada chose cleo's" } });
    // Cleo is held too: an admin-created account must choose its own password before acting
    expect((await call(oneUser.PATCH, { uid: cleo.id }, { method: "PATCH", id: ids.mia, body: { role: "manager" } })).status).toBe(403);
    const cleoChanged = await act({ uid: cleo.id }, () =>
      account.changePasswordAction({ currentPassword: "ada chose cleo's", newPassword: "cleo's own one", confirmPassword: "cleo's own one" }),
    );
    expect(cleoChanged.result).toMatchObject({ ok: true });
    const cleoNow = { uid: cleo.id, token: cleoChanged.session };
    // Cleo administers B only: Mia's password is shared with A, so it is not hers to set (and no mark is set)
    const takeover = await call(oneUser.PATCH, cleoNow, { method: "PATCH", id: ids.mia, body: { password: "cleo knows this" } });
    expect(takeover).toMatchObject({ status: 403, json: { error: { code: "forbidden", message: expect.stringContaining("not an admin of") } } });
    expect((await getAccount(t.db, ids.mia))?.passwordChangeRequired).toBe(false);
    // Ada administers both: she may, and Mia is then held until she chooses her own
    const byAda = await call(
      oneUser.PATCH,
      { uid: ids.ada, sv: await getSvOf(t.db, ids.ada) },
      { method: "PATCH", id: ids.mia, body: { password: "ada knows mia's" } },
    );
    expect(byAda.status).toBe(200);
    expect((await getAccount(t.db, ids.mia))?.passwordChangeRequired).toBe(true);
  });
});

async function getSvOf(db: Db, userId: string) {
  const { users } = await import("@/db/schema");
  return (await db.select({ sv: users.sessionVersion }).from(users).where(eq(users.id, userId)))[0]!.sv;
}
