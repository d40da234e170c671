import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { openDatabase } from "./db/client";
import { createScratchPostgres } from "./db/testing";
import { insertTenant } from "./db/queries";
import { subscribers } from "./db/schema";

async function main() {
  const scratch = await createScratchPostgres("ct_bench");
  const h = await openDatabase({ url: scratch.url, max: 4 });
  try {
    await h.migrate();
    const db = h.db;
    const tenantId = (await insertTenant(db, { name: "Bench" })).id;
    const mk = (i: number) => ({ id: randomUUID(), tenantId, waPhone: `+1650${i}`, waId: `1650${i}`, phoneHash: "x".repeat(64), profileName: `User ${i}`, firstSeenAt: new Date(), lastInboundAt: new Date(), inboundCount: 1, status: "active" as const, rawLastEventType: "message", rawVersion: "cloud", country: "US", timezone: "America/New_York", conversationExpiresAt: new Date(), lastMessageStatus: "received", lastMessageStatusAt: new Date() });
    let n = 0;
    for (const mode of ["drizzle", "json", "drizzle", "json"]) {
      const t = performance.now();
      for (let b = 0; b < 40; b++) {
        const rows = Array.from({ length: 250 }, () => mk(n++));
        if (mode === "drizzle") await db.insert(subscribers).values(rows).onConflictDoNothing().returning({ id: subscribers.id });
        else {
          const json = JSON.stringify(rows.map(r => ({ id: r.id, tenant_id: r.tenantId, wa_phone: r.waPhone, wa_id: r.waId, phone_hash: r.phoneHash, profile_name: r.profileName, first_seen_at: r.firstSeenAt, last_inbound_at: r.lastInboundAt, inbound_count: r.inboundCount, status: r.status, raw_last_event_type: r.rawLastEventType, raw_version: r.rawVersion, country: r.country, timezone: r.timezone, conversation_expires_at: r.conversationExpiresAt, last_message_status: r.lastMessageStatus, last_message_status_at: r.lastMessageStatusAt })));
          await db.execute(sql`insert into subscribers (id, tenant_id, wa_phone, wa_id, phone_hash, profile_name, first_seen_at, last_inbound_at, inbound_count, status, raw_last_event_type, raw_version, country, timezone, conversation_expires_at, last_message_status, last_message_status_at)
            select * from jsonb_to_recordset(${json}::jsonb) as x(id uuid, tenant_id uuid, wa_phone text, wa_id text, phone_hash text, profile_name text, first_seen_at timestamptz, last_inbound_at timestamptz, inbound_count int, status text, raw_last_event_type text, raw_version text, country text, timezone text, conversation_expires_at timestamptz, last_message_status text, last_message_status_at timestamptz)
            on conflict do nothing returning id`);
        }
      }
      console.log(mode, ((performance.now() - t) / 40).toFixed(1), "ms per 250 rows");
    }
  } finally { await h.close(); await scratch.drop(); }
}
main().catch((e) => { console.error(e); process.exit(1); });
