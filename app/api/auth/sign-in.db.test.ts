// Sign-in through Auth.js's own credentials endpoint (what the login form's server action runs):
// callbackUrl variants that point elsewhere land on a same-origin path, and the per-address
// throttle reads the peer address (X-Forwarded-For only when TRUST_PROXY says so).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createFirstAdmin } from "@/lib/accounts/setup";
import { ADDRESS_ATTEMPT_LIMIT } from "@/lib/accounts/throttle";
import { PEER_ADDRESS_HEADER } from "@/lib/client-address";
import { setEnvForTests } from "@/lib/env";

const current: { db?: Db; headers: Headers } = { headers: new Headers() };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
vi.mock("next/headers", async (importOriginal) => ({ ...(await importOriginal<object>()), headers: async () => current.headers }));

const APP = "http://console.test";
const route = await import("./[...nextauth]/route");
type Handler = (req: Request) => Promise<Response>;
const GET = route.GET as unknown as Handler;
const POST = route.POST as unknown as Handler;

async function signInRequest(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const base = { host: "console.test", "x-forwarded-proto": "http", ...headers };
  const csrfRes = await GET(new Request(`${APP}/api/auth/csrf`, { headers: base }));
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const cookie = csrfRes.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await POST(
    new Request(`${APP}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { ...base, cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...fields, csrfToken }).toString(),
    }),
  );
  return { status: res.status, location: res.headers.get("location") ?? "", setCookie: res.headers.getSetCookie().join("\n") };
}

describe.each(testDrivers)("sign-in through Auth.js (%s)", (kind) => {
  let t: TestDb;
  let restoreEnv = () => {};
  const admin = { email: "ada@example.com", password: "admin password 1" };

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    restoreEnv = setEnvForTests({ APP_URL: APP, ENCRYPTION_KEY: Buffer.alloc(32, 5).toString("base64") });
    await createFirstAdmin(t.db, { organisation: "Acme", name: "Ada", ...admin });
  });
  afterAll(async () => {
    restoreEnv();
    await t.cleanup();
  });

  it.each(["/\\evil.example", "//evil.example", "https://evil.example", "/%5Cevil.example", "/\\/evil.example", "http://console.test.evil.example/"])(
    "callbackUrl %j lands on a same-origin path",
    async (callbackUrl) => {
      const r = await signInRequest({ ...admin, callbackUrl }, { [PEER_ADDRESS_HEADER]: "192.0.2.10" });
      expect(r.setCookie).toContain("authjs.session-token=");
      const target = new URL(r.location, APP);
      expect(target.pathname).toBe(callbackUrl === "/%5Cevil.example" ? "/%5Cevil.example" : "/dashboard");
      expect(target.origin).toBe(APP);
      expect(target.host).toBe("console.test");
      // what a browser does with the Location header: it must not leave the origin either
      expect(new URL(r.location.replace(/\\/g, "/"), APP).origin).toBe(APP);
    },
  );

  it("a same-origin callbackUrl is kept", async () => {
    const r = await signInRequest({ ...admin, callbackUrl: "/subscribers?status=active" }, { [PEER_ADDRESS_HEADER]: "192.0.2.10" });
    expect(r.location).toBe(`${APP}/subscribers?status=active`);
  });

  it("counts failures per peer address, not per forged X-Forwarded-For", async () => {
    const peer = { [PEER_ADDRESS_HEADER]: "192.0.2.77" };
    for (let i = 0; i < ADDRESS_ATTEMPT_LIMIT; i++) {
      // a new forged X-Forwarded-For each time: ignored without TRUST_PROXY
      const r = await signInRequest({ email: `spray${i}@example.com`, password: "Summer2026!x" }, { ...peer, "x-forwarded-for": `10.9.${i}.1` });
      expect(r.location).toContain("error=CredentialsSignin");
      expect(r.location).not.toContain("throttled");
    }
    const locked = await signInRequest({ ...admin }, { ...peer, "x-forwarded-for": "10.9.99.1" });
    expect(locked.location).toMatch(/code=throttled%3A\d+/);
    expect(locked.setCookie).not.toContain("authjs.session-token=");
    // another peer address is not locked
    const other = await signInRequest({ ...admin }, { [PEER_ADDRESS_HEADER]: "192.0.2.78" });
    expect(other.setCookie).toContain("authjs.session-token=");
  });
});
