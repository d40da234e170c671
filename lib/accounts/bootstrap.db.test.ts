import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { authenticateApiKey } from "@/lib/api-keys";
import { bootstrapFromEnv } from "./bootstrap";
import { isSetupOpen } from "./setup";
import { signInWithPassword } from "./sign-in";

describe.each(testDrivers)("headless bootstrap (%s)", (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.cleanup());
  const env = { ADMIN_EMAIL: "ops@example.com", ADMIN_PASSWORD: "ops-password-123", BOOTSTRAP_API_KEY: "ci-bootstrap-key-0123456789abcdef" };

  it("creates the first admin and the bootstrap key, and is a no-op on the next start", async () => {
    const notes = await bootstrapFromEnv(t.db, env);
    expect(notes).toHaveLength(2);
    expect(await isSetupOpen(t.db)).toBe(false);
    expect(await signInWithPassword(t.db, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, now: new Date() })).toMatchObject({ ok: true });
    await authenticateApiKey(t.db, { secret: env.BOOTSTRAP_API_KEY, now: new Date() });
    expect(await bootstrapFromEnv(t.db, env)).toEqual([]);
  });
});
