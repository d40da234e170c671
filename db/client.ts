// The only connection code. A URL → postgres.js; none → PGlite, file-backed in a data directory (in
// memory when no directory is given, for tests). One schema, one Db type. db/ reads no configuration:
// the server says where its database is (configureDatabase, from the validated env in lib/startup.ts).
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { acquirePgliteLock } from "./pglite-lock";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbKind = "postgres" | "pglite";
export type DbHandle = {
  kind: DbKind;
  db: Db;
  migrate: () => Promise<void>;
  close: () => Promise<void>;
};

export const migrationsFolder = path.join(process.cwd(), "drizzle");

/**
 * postgres.js as drizzle should use it: drizzle runs every query unnamed (`prepare: false`), which costs a
 * second round trip (postgres.js describes a parameterised statement before it binds it) and a parse and
 * plan on the server every time. With named statements each connection parses a query text once and
 * then binds it in one round trip. Transactions and savepoints hand drizzle their own clients: wrapped too.
 * (`DATABASE_PREPARE=false` turns this off for transaction-mode poolers that cannot keep named statements.)
 */
function preparedStatements<T extends object>(sql: T): T {
  return new Proxy(sql, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (key === "unsafe") {
        return (query: string, params?: unknown[], options?: Record<string, unknown>) =>
          (value as (q: string, p?: unknown[], o?: object) => unknown).call(target, query, params, { ...options, prepare: true });
      }
      if (key === "begin" || key === "savepoint") {
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const callback = args[last];
          if (typeof callback === "function") args[last] = (tx: object) => (callback as (tx: object) => unknown)(preparedStatements(tx));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value.bind(target) as unknown;
    },
  });
}

/**
 * Opens a database. PGlite directories are locked to this process (`role` names us in the lock); an
 * in-memory PGlite may start from a dump of another one's data directory (`loadDataDir`, tests).
 */
export async function openDatabase(opts: {
  url?: string;
  dataDir?: string;
  loadDataDir?: Blob;
  role?: string;
  max?: number;
  prepare?: boolean;
}): Promise<DbHandle> {
  if (opts.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    const client = postgres(opts.url, { max: opts.max ?? 10, onnotice: () => {}, connect_timeout: 10 });
    const db = drizzle(opts.prepare === false ? client : preparedStatements(client), { schema });
    return {
      kind: "postgres",
      db: db as unknown as Db,
      migrate: async () => {
        // several instances may start at once: serialise migrations with an advisory lock held
        // on one dedicated connection (the migrator runs on that same connection)
        const single = postgres(opts.url as string, { max: 1, onnotice: () => {}, connect_timeout: 10 });
        try {
          await single`select pg_advisory_lock(727274)`;
          await migrate(drizzle(single, { schema }), { migrationsFolder });
        } finally {
          await single.end({ timeout: 5 });
        }
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const release = opts.dataDir ? acquirePgliteLock(opts.dataDir, opts.role ?? "process") : () => {};
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const options = { extensions: { pg_trgm }, ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}) }; // pg_trgm: name search (trigram index)
    const client = opts.dataDir ? new PGlite(opts.dataDir, options) : new PGlite(options);
    await client.waitReady;
    const db = drizzle(client, { schema });
    return {
      kind: "pglite",
      db: db as unknown as Db,
      migrate: () => migrate(db, { migrationsFolder }),
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** Where this process's database is: a PostgreSQL server, or a PGlite data directory this process locks as `role`. */
export type DatabaseSettings = { url: string; prepare: boolean } | { dataDir: string; role: string };

const g = globalThis as unknown as { __clicktrailDb?: Promise<DbHandle>; __clicktrailDbSettings?: DatabaseSettings };

/** Says where getDatabase() opens this process's database. The server calls it once, first thing (lib/startup.ts). */
export function configureDatabase(settings: DatabaseSettings): void {
  g.__clicktrailDbSettings = settings;
}

/** This process's database, opened and migrated once (survives HMR; a failed open is not cached). */
export function getDatabase(): Promise<DbHandle> {
  g.__clicktrailDb ??= (async () => {
    const settings = g.__clicktrailDbSettings;
    if (!settings) throw new Error("No database is configured in this process: the server calls configureDatabase() when it starts (lib/startup.ts)");
    const handle = await openDatabase(settings);
    await handle.migrate();
    return handle;
  })().catch((e: unknown) => {
    g.__clicktrailDb = undefined;
    throw e;
  });
  return g.__clicktrailDb;
}

/** The app's Db. Pages and routes call `await getDb()`; the handle is shared per process. */
export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
