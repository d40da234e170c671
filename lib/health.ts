import { sql } from "drizzle-orm";
import type { DbHandle, DbKind } from "@/db/client";
import { latestAppliedMigration } from "@/db/migrations-info";

export type Health = { status: "ok"; db: DbKind; migration: string | null } | { status: "error"; db: DbKind; reason: string };

/** Pings the database and reads the applied migration; never throws. */
export async function checkHealth(open: () => Promise<DbHandle>, kind: DbKind, timeoutMs = 3000): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const probe = (async () => {
      const { db } = await open();
      await db.execute(sql`select 1`);
      return latestAppliedMigration(db);
    })();
    const migration = await Promise.race([probe, timeout]);
    return { status: "ok", db: kind, migration };
  } catch (e) {
    return { status: "error", db: kind, reason: `database unreachable: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    clearTimeout(timer);
  }
}
