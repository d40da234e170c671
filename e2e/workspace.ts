// What a spec's database holds before its server opens it: workspaces (a tenant with its users, optionally
// the demo data and rows of the spec's own). A spec declares it at the top of its file:
//   test.use({ seed: { workspaces: [{ organisation: "Leads Co", users: [{ ...LENA, role: "admin" }], seed: seedLeads }] } })
// and its server starts on a database that has exactly that (no seed: a fresh console, /setup open).
import type { Db } from "@/db/client";
import { insertTenant, insertUser } from "@/db/queries";
import type { ROLES } from "@/db/schema";
import { loadDemoData } from "@/lib/demo/demo-data";
import { hashPassword } from "@/lib/passwords";

export type Account = { name: string; email: string; password: string };
export type SeedUser = Account & { role: (typeof ROLES)[number] };

export type Workspace = {
  organisation: string;
  users: SeedUser[];
  /** load the demo data set (as the dashboard's "Load demo data" button does) */
  demoData?: boolean;
  /** rows of the spec's own, written after the users */
  seed?: (db: Db, tenantId: string) => Promise<void>;
};

/** A spec file's seed (an object, so that test.use takes it as a value). */
export type Seed = { workspaces?: Workspace[] };
export type Seeded = { users: Record<string, { id: string; tenantId: string }> };

export async function seedWorkspaces(db: Db, workspaces: Workspace[], encryptionKey: string): Promise<Seeded> {
  const users: Seeded["users"] = {};
  for (const ws of workspaces) {
    const tenant = await insertTenant(db, { name: ws.organisation });
    for (const u of ws.users) {
      const row = await insertUser(db, { tenantId: tenant.id, email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(u.password) });
      users[u.email] = { id: row.id, tenantId: tenant.id };
    }
    if (ws.demoData) await loadDemoData(db, { tenantId: tenant.id, now: new Date(), encryptionKey });
    await ws.seed?.(db, tenant.id);
  }
  return { users };
}
