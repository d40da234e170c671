// Server actions called in-process as signed-in members. Importing this module stubs what an action reads from
// its request: next/headers answers `consoleRequest.headers` and records the cookies it sets into
// `consoleRequest.set`, getDb() answers the suite's test database, and revalidatePath does nothing (no page
// cache outside a request). `consoleActionSuite` opens that database and the env the actions read;
// `signedInWorkspace` adds a workspace with one member per role. Import it before the actions (dynamically).
import { afterAll, beforeAll, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db, DbKind } from "@/db/client";
import { insertTenant, insertUser } from "@/db/queries";
import { createTestDb, type TestDb } from "@/db/testing";
import { setEnvForTests } from "@/lib/env";
import { type Browser, CONSOLE_APP, consoleBrowsers, type RequestState } from "./console-browser";

// vi.hoisted: the mocks below are hoisted above the imports, and read it when they are called
const request = vi.hoisted((): RequestState & { db?: Db } => ({ headers: new Headers(), set: [] }));
/** The request the next server action (or route handler) reads, and the database it gets. */
export const consoleRequest = request;

vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => request.db! }));
vi.mock("next/headers", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  headers: async () => request.headers,
  cookies: async () => ({
    set: (name: string, value: string, options: Record<string, unknown>) => request.set.push({ name, value, options }),
  }),
}));
vi.mock("next/cache", async (importOriginal) => ({ ...(await importOriginal<object>()), revalidatePath: () => undefined }));

export type ConsoleActionSuite = { t: TestDb };

/**
 * Registers the describe block's hooks: a fresh test database on `kind` that getDb() answers, and the env the
 * console reads (APP_URL, AUTH_SECRET = `secret`, ENCRYPTION_KEY), restored after. `suite.t` is set in beforeAll.
 */
export function consoleActionSuite(kind: DbKind, { secret, encryptionKey }: { secret: string; encryptionKey: string }): ConsoleActionSuite {
  const suite = {} as ConsoleActionSuite;
  let restoreEnv = () => {};
  beforeAll(async () => {
    suite.t = await createTestDb(kind);
    consoleRequest.db = suite.t.db;
    restoreEnv = setEnvForTests({ APP_URL: CONSOLE_APP, AUTH_SECRET: secret, ENCRYPTION_KEY: encryptionKey });
  });
  afterAll(async () => {
    restoreEnv();
    await suite.t.cleanup();
  });
  return suite;
}

type Role = "admin" | "manager" | "marketer";
export type SignedInWorkspace<R extends Role> = ConsoleActionSuite & {
  tenantId: string;
  /** A signed-in browser per role, each a member of the workspace. */
  as: Record<R, Browser>;
  /** Runs a server action as browser `b` and answers its result. */
  run: <T>(b: Browser, action: () => Promise<T>) => Promise<T>;
};

/**
 * consoleActionSuite plus a workspace named `workspace` with one member per role of `roles` (emails
 * `<role>-<emailTag>-<kind>@example.com`), made in beforeAll: a later beforeAll of the block can use them.
 */
export function signedInWorkspace<R extends Role>(
  kind: DbKind,
  opts: { secret: string; encryptionKey: string; workspace: string; roles: readonly R[]; emailTag: string },
): SignedInWorkspace<R> {
  const { act } = consoleBrowsers(consoleRequest, opts.secret);
  const suite = consoleActionSuite(kind, opts) as SignedInWorkspace<R>;
  suite.as = {} as Record<R, Browser>;
  suite.run = async (b, action) => (await act(b, action)).result;
  beforeAll(async () => {
    const { db } = suite.t;
    suite.tenantId = (await insertTenant(db, { name: opts.workspace })).id;
    for (const role of opts.roles) {
      const email = `${role}-${opts.emailTag}-${kind}@example.com`;
      suite.as[role] = { uid: (await insertUser(db, { tenantId: suite.tenantId, role, email, name: role, passwordHash: "x" })).id };
    }
  });
  return suite;
}
