import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJournal } from "@/db/migrations-info";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { checkHealth } from "./health";

describe.each(testDrivers)("health (%s)", (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.cleanup());

  it("reports ok with the driver and the newest applied migration", async () => {
    expect(await checkHealth(async () => t, kind)).toEqual({ status: "ok", db: kind, migration: readJournal().entries.at(-1)?.tag });
  });
});

describe("health when the database is down", () => {
  it("reports the reason instead of throwing", async () => {
    const health = await checkHealth(async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    }, "postgres");
    expect(health).toEqual({ status: "error", db: "postgres", reason: "database unreachable: connect ECONNREFUSED 127.0.0.1:5432" });
  });

  it("gives up after the timeout instead of hanging", async () => {
    const health = await checkHealth(() => new Promise(() => {}), "postgres", 50);
    expect(health).toMatchObject({ status: "error", reason: expect.stringContaining("no answer within 50 ms") });
  });
});
