// Named prepared statements on postgres.js (db/client.ts): drizzle's queries, in and out of transactions.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DbHandle, openDatabase } from "./client";
import { rowsOf } from "./migrations-info";
import { tenants } from "./schema";
import { createScratchPostgres } from "./testing";

type Db = DbHandle["db"];
const preparedHere = async (db: Pick<Db, "execute">) =>
  rowsOf<{ statement: string }>(await db.execute(sql`select statement from pg_prepared_statements`)).map((r) => r.statement);

describe.skipIf(!process.env.TEST_DATABASE_URL)("postgres.js statements (postgres)", () => {
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  const handles: DbHandle[] = [];
  const open = async (prepare?: boolean) => {
    const handle = await openDatabase({ url: scratch.url, max: 1, ...(prepare === undefined ? {} : { prepare }) });
    handles.push(handle);
    return handle;
  };

  beforeAll(async () => {
    scratch = await createScratchPostgres();
    const first = await open();
    await first.migrate();
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    await scratch.drop();
  });

  it("runs drizzle's parameterised queries as named statements the connection keeps", async () => {
    const { db } = await open();
    await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.name, "nobody"));
    await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.name, "still nobody"));
    const kept = (await preparedHere(db)).filter((s) => s.includes('from "tenants" where "tenants"."name" = $1'));
    expect(kept).toHaveLength(1); // prepared once, bound twice
  });

  it("prepares inside transactions too, and a transaction still commits and rolls back", async () => {
    const { db } = await open();
    await db.transaction(async (tx) => {
      await tx.insert(tenants).values({ name: "Kept" });
      expect((await preparedHere(tx)).some((s) => s.startsWith('insert into "tenants"'))).toBe(true);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(tenants).values({ name: "Rolled back" });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const names = (await db.select({ name: tenants.name }).from(tenants)).map((r) => r.name);
    expect(names).toContain("Kept");
    expect(names).not.toContain("Rolled back");
  });

  it("with prepare: false (transaction-mode poolers) keeps no statements", async () => {
    const { db } = await open(false);
    await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.name, "nobody"));
    expect((await preparedHere(db)).filter((s) => s.includes('"tenants"'))).toEqual([]);
  });
});
