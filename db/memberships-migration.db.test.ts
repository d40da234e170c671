// Migration 0012 on a database that already has users: every user keeps their workspace and role,
// now as a membership, and users keeps only the identity. Applied statement by statement, up to
// 0011 first (the data of before), then 0012 alone.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "./migrations-info";
import { type MigrationTestDb, openDatabaseBefore, testDrivers } from "./testing";

const TAG = "0012_workspace_memberships";

describe.each(testDrivers)("migration %s moves users into memberships", (kind) => {
  let handle: MigrationTestDb;

  beforeAll(async () => {
    handle = await openDatabaseBefore(kind, TAG);
  });
  afterAll(() => handle.cleanup());

  it(`keeps each user's workspace and role (${kind})`, async () => {
    await handle.run([
      `insert into tenants (id, name) values ('00000000-0000-4000-8000-00000000000a', 'A'), ('00000000-0000-4000-8000-00000000000b', 'B')`,
      `insert into users (id, tenant_id, email, name, password_hash, role, created_at) values
        ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-00000000000a', 'ada@example.com', 'Ada', 'h', 'admin', '2025-01-01T00:00:00Z'),
        ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-00000000000a', 'max@example.com', 'Max', 'h', 'marketer', '2025-02-01T00:00:00Z'),
        ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-00000000000b', 'bo@example.com', 'Bo', 'h', 'manager', '2025-03-01T00:00:00Z')`,
    ]);
    await handle.applyMigration();

    const members = rowsOf<{ user_id: string; tenant_id: string; role: string; created_at: string | Date }>(
      await handle.db.execute(sql`select user_id, tenant_id, role, created_at from memberships order by user_id`),
    );
    expect(members.map((m) => [m.user_id.slice(-1), m.tenant_id.slice(-1), m.role, new Date(m.created_at).toISOString()])).toEqual([
      ["1", "a", "admin", "2025-01-01T00:00:00.000Z"],
      ["2", "a", "marketer", "2025-02-01T00:00:00.000Z"],
      ["3", "b", "manager", "2025-03-01T00:00:00.000Z"],
    ]);
    const columns = rowsOf<{ column_name: string }>(
      await handle.db.execute(sql`select column_name from information_schema.columns where table_name = 'users' order by column_name`),
    ).map((c) => c.column_name);
    expect(columns).not.toContain("tenant_id");
    expect(columns).not.toContain("role");
    // one membership per user and workspace
    await expect(
      handle.db.execute(
        sql`insert into memberships (user_id, tenant_id, role) values ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-00000000000a', 'manager')`,
      ),
    ).rejects.toThrow();
  });
});
