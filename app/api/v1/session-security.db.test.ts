// Browser-side attacks on the cookie-authenticated API, through the real route handlers and a real
// Auth.js session cookie (a JWT minted with AUTH_SECRET): cross-origin and form-encoded writes are
// refused (403 JSON), API keys are unaffected, and signing out or a password change ends the user's
// other sessions.
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { updateUserIdentity } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createFirstAdmin } from "@/lib/accounts/setup";
import { createUser } from "@/lib/accounts/users";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";

const current: { db?: Db; headers: Headers } = { headers: new Headers() };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
// Auth.js's auth() reads the request headers through next/headers: hand it the request under test
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  headers: async () => current.headers,
}));

const APP = "http://console.test";
const SECRET = "session-security-auth-secret-0123456789";
const COOKIE = "authjs.session-token";
const me = await import("./me/route");
const users = await import("./users/route");
const oneUser = await import("./users/[id]/route");
const authRoute = await import("../auth/[...nextauth]/route");

type Handler = (req: Request, ctx: never) => Promise<Response>;
type Call = { method?: string; cookie?: string; bearer?: string; headers?: Record<string, string>; body?: string; params?: Record<string, string> };

async function call(handler: Handler, path: string, opts: Call = {}) {
  const headers = new Headers({ host: "console.test", "x-forwarded-proto": "http", ...opts.headers });
  if (opts.cookie) headers.set("cookie", opts.cookie);
  if (opts.bearer) headers.set("authorization", `Bearer ${opts.bearer}`);
  current.headers = headers;
  const res = await handler(new Request(`${APP}${path}`, { method: opts.method ?? "GET", headers, body: opts.body }), {
    params: Promise.resolve(opts.params ?? {}),
  } as never);
  const text = await res.text();
  return { status: res.status, res, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const sessionCookie = async (uid: string, sv: number) => `${COOKIE}=${await encode({ token: { sub: uid, uid, sv }, secret: SECRET, salt: COOKIE })}`;
const json = { "content-type": "application/json" };
const sameOrigin = { ...json, origin: APP };

describe.each(testDrivers)("cookie-authenticated /api/v1 against browser attacks (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  let tenantId = "";
  let adminId = "";
  let apiKey = "";

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ APP_URL: APP, AUTH_SECRET: SECRET, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") });
    const setup = await createFirstAdmin(t.db, { organisation: "Acme", name: "Ada", email: "ada@example.com", password: "admin password 1" });
    tenantId = setup.tenant.id;
    adminId = setup.user.id;
    apiKey = (await createApiKey(t.db, { tenantId, name: "CRM", createdBy: adminId })).secret;
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  const newUser = (email: string) => JSON.stringify({ name: "New", email, role: "marketer", password: "0123456789ab" });

  it("reads with the session cookie", async () => {
    const r = await call(me.GET, "/api/v1/me", { cookie: await sessionCookie(adminId, 0) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kind: "session", userId: adminId });
  });

  it("refuses a cross-origin cookie POST with a 403 JSON error", async () => {
    const cookie = await sessionCookie(adminId, 0);
    const r = await call(users.POST, "/api/v1/users", {
      method: "POST",
      cookie,
      headers: { ...json, origin: "https://evil.example" },
      body: newUser("x1@example.com"),
    });
    expect(r.status).toBe(403);
    expect(r.res.headers.get("content-type")).toMatch(/application\/json/);
    expect(r.json).toMatchObject({ error: { code: "cross_origin_request" } });
    // cross-site fetch without an Origin the browser would still mark
    const r2 = await call(users.POST, "/api/v1/users", {
      method: "POST",
      cookie,
      headers: { ...json, "sec-fetch-site": "cross-site" },
      body: newUser("x2@example.com"),
    });
    expect(r2.status).toBe(403);
    // no Origin and no Sec-Fetch-Site (a script replaying a stolen cookie): not the console either
    expect((await call(users.POST, "/api/v1/users", { method: "POST", cookie, headers: json, body: newUser("x3@example.com") })).status).toBe(403);
    // a sibling origin (another port) is not this one
    expect(
      (
        await call(users.POST, "/api/v1/users", {
          method: "POST",
          cookie,
          headers: { ...json, origin: "http://console.test:8080" },
          body: newUser("x4@example.com"),
        })
      ).status,
    ).toBe(403);
  });

  it("refuses a form-encoded (or text/plain) same-origin cookie POST", async () => {
    const cookie = await sessionCookie(adminId, 0);
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]) {
      const r = await call(users.POST, "/api/v1/users", {
        method: "POST",
        cookie,
        headers: { origin: APP, "content-type": type },
        body: newUser("form@example.com"),
      });
      expect(r.status, type).toBe(403);
      expect(r.json).toMatchObject({ error: { code: "json_required" } });
    }
  });

  it("refuses cross-origin PATCH and DELETE as well", async () => {
    const cookie = await sessionCookie(adminId, 0);
    const victim = await createUser(t.db, { tenantId, input: { name: "V", email: "v@example.com", role: "marketer", password: "0123456789ab" } });
    const evil = { ...json, origin: "https://evil.example" };
    const params = { id: victim.id };
    expect(
      (await call(oneUser.PATCH, `/api/v1/users/${victim.id}`, { method: "PATCH", cookie, headers: evil, params, body: JSON.stringify({ role: "admin" }) }))
        .status,
    ).toBe(403);
    expect((await call(oneUser.DELETE, `/api/v1/users/${victim.id}`, { method: "DELETE", cookie, headers: evil, params })).status).toBe(403);
    const still = await call(oneUser.GET, `/api/v1/users/${victim.id}`, { cookie, params });
    expect(still.json).toMatchObject({ role: "marketer" });
  });

  it("accepts a same-origin JSON write (Origin equal to APP_URL, or Sec-Fetch-Site: same-origin)", async () => {
    const cookie = await sessionCookie(adminId, 0);
    expect((await call(users.POST, "/api/v1/users", { method: "POST", cookie, headers: sameOrigin, body: newUser("ok1@example.com") })).status).toBe(201);
    const bySecFetch = { "content-type": "application/json; charset=utf-8", "sec-fetch-site": "same-origin" };
    expect((await call(users.POST, "/api/v1/users", { method: "POST", cookie, headers: bySecFetch, body: newUser("ok2@example.com") })).status).toBe(201);
  });

  it("leaves bearer API-key requests alone, whatever their Origin", async () => {
    const r = await call(users.POST, "/api/v1/users", {
      method: "POST",
      bearer: apiKey,
      headers: { ...json, origin: "https://crm.example" },
      body: newUser("bykey@example.com"),
    });
    expect(r.status).toBe(201);
  });

  it("signing out ends the user's other sessions", async () => {
    const user = await createUser(t.db, { tenantId, input: { name: "Sam", email: "sam@example.com", role: "marketer", password: "0123456789ab" } });
    await updateUserIdentity(t.db, user.id, { passwordChangeRequired: false }); // as if Sam had chosen his own
    const laptop = await sessionCookie(user.id, 0);
    const phone = await sessionCookie(user.id, 0);
    expect((await call(me.GET, "/api/v1/me", { cookie: phone })).status).toBe(200);

    // sign out on the laptop through Auth.js itself (its CSRF token first)
    const csrf = await call(authRoute.GET as unknown as Handler, "/api/auth/csrf", { cookie: laptop });
    const csrfCookie = csrf.res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const out = await call(authRoute.POST as unknown as Handler, "/api/auth/signout", {
      method: "POST",
      cookie: `${laptop}; ${csrfCookie}`,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: APP },
      body: new URLSearchParams({ csrfToken: String(csrf.json?.csrfToken), callbackUrl: "/login" }).toString(),
    });
    expect(out.status).toBeLessThan(400);

    expect((await call(me.GET, "/api/v1/me", { cookie: phone })).status).toBe(401);
    expect((await call(me.GET, "/api/v1/me", { cookie: laptop })).status).toBe(401);
    // a session issued after the sign-out (the new version) works
    expect((await call(me.GET, "/api/v1/me", { cookie: await sessionCookie(user.id, 1) })).status).toBe(200);
  });

  it("a password change ends the user's existing sessions", async () => {
    const user = await createUser(t.db, { tenantId, input: { name: "Pat", email: "pat@example.com", role: "marketer", password: "0123456789ab" } });
    await updateUserIdentity(t.db, user.id, { passwordChangeRequired: false }); // Pat had chosen his own
    const stolen = await sessionCookie(user.id, 0);
    expect((await call(me.GET, "/api/v1/me", { cookie: stolen })).status).toBe(200);
    const admin = await sessionCookie(adminId, 0);
    const changed = await call(oneUser.PATCH, `/api/v1/users/${user.id}`, {
      method: "PATCH",
      cookie: admin,
      headers: sameOrigin,
      params: { id: user.id },
      body: JSON.stringify({ password: "a brand new password" }),
    });
    expect(changed.status).toBe(200);
    expect((await call(me.GET, "/api/v1/me", { cookie: stolen })).status).toBe(401);
    // renaming (no password) ends nothing
    const renamed = await call(oneUser.PATCH, `/api/v1/users/${user.id}`, {
      method: "PATCH",
      bearer: apiKey,
      headers: json,
      params: { id: user.id },
      body: JSON.stringify({ name: "Pat B." }),
    });
    expect(renamed.status).toBe(200);
    // the session issued after the change is current (not 401), but held until Pat chooses his own password
    const held = await call(me.GET, "/api/v1/me", { cookie: await sessionCookie(user.id, 1) });
    expect(held).toMatchObject({ status: 403, json: { error: { code: "password_change_required" } } });
  });
});
