import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { openDatabase } from "./db/client";
import { createScratchPostgres } from "./db/testing";
import { insertNumber, insertTenant } from "./db/queries";
import { webhookEvents } from "./db/schema";
import { drainWebhookEvents } from "./lib/whatsapp/ingest";

const N = Number(process.argv[2] ?? 20000);
const BATCH = Number(process.argv[3] ?? 250);
const PAR = Number(process.argv[4] ?? 2);
async function main() {
  const scratch = await createScratchPostgres("ct_bench");
  const h = await openDatabase({ url: scratch.url, max: 10 });
  try {
    await h.migrate();
    const db = h.db;
    const tenantId = (await insertTenant(db, { name: "Bench" })).id;
    const pnid = "555000111222333";
    await insertNumber(db, { tenantId, label: "B", phoneE164: "+15550000009", provider: "cloud", phoneNumberId: pnid, verifyToken: randomUUID() });
    const T0 = 1900000000;
    const rows = [];
    for (let i = 0; i < N; i++) {
      const from = String(16500000000 + i);
      rows.push({ provider: "cloud" as const, signatureResult: "valid" as const, routedPhoneNumberIds: [pnid], rawBody: JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "W", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550000009", phone_number_id: pnid }, contacts: [{ profile: { name: `User ${i}` }, wa_id: from }], messages: [{ from, id: `wamid.B${i}.${randomUUID()}`, timestamp: String(T0 + i), type: "text", text: { body: `message ${i}` } }] } }] }] }) });
    }
    for (let i = 0; i < rows.length; i += 1000) await db.insert(webhookEvents).values(rows.slice(i, i + 1000));
    // statuses: 100 per event over the messages above
    const t1 = Date.now();
    let msgs = 0;
    const worker = async () => { for (;;) { const r = await drainWebhookEvents(db, { now: new Date(), limit: BATCH }); msgs += r.messagesInserted; if (r.outcomes.length === 0) return; if (r.failed) console.log("failed", r.outcomes.filter(o=>o.status==='failed')[0]); } };
    await Promise.all(Array.from({ length: PAR }, worker));
    const dt = (Date.now() - t1) / 1000;
    { const { PROF } = await import("./lib/whatsapp/ingest"); console.log(JSON.stringify(Object.fromEntries(Object.entries(PROF).map(([k,v])=>[k,Math.round(v)])))); for (const k of Object.keys(PROF)) delete PROF[k]; } console.log(`messages: ${msgs} in ${dt.toFixed(2)} s = ${(msgs / dt).toFixed(0)} msg/s (batch ${BATCH}, ${PAR} drainers)`);
    // statuses
    const wamids = (await db.execute(sql`select wamid from messages`)) as unknown as { wamid: string }[];
    const srows = [];
    const kinds = ["sent", "delivered", "read"];
    for (let i = 0; i < wamids.length; i += 100) {
      const chunk = wamids.slice(i, i + 100);
      srows.push({ provider: "cloud" as const, signatureResult: "valid" as const, routedPhoneNumberIds: [pnid], rawBody: JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "W", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550000009", phone_number_id: pnid }, statuses: chunk.map((w, j) => ({ id: w.wamid, status: kinds[(i / 100) % 3], timestamp: String(T0 + 100000 + i + j), recipient_id: "1" })) } }] }] }) });
    }
    for (let k = 0; k < 3; k++) for (let i = 0; i < srows.length; i += 1000) await db.insert(webhookEvents).values(srows.slice(i, i + 1000).map(r => ({ ...r, rawBody: r.rawBody.replace(/"status":"\w+"/g, `"status":"${kinds[k]}"`) })));
    const t2 = Date.now();
    let sts = 0;
    const worker2 = async () => { for (;;) { const r = await drainWebhookEvents(db, { now: new Date(), limit: Math.max(1, Math.floor(BATCH / 10)) }); sts += r.statusesApplied; if (r.outcomes.length === 0) return; } };
    await Promise.all(Array.from({ length: PAR }, worker2));
    const dt2 = (Date.now() - t2) / 1000;
    { const { PROF } = await import("./lib/whatsapp/ingest"); console.log(JSON.stringify(Object.fromEntries(Object.entries(PROF).map(([k,v])=>[k,Math.round(v)])))); } console.log(`statuses: ${sts} in ${dt2.toFixed(2)} s = ${(sts / dt2).toFixed(0)} statuses/s`);
    const check = (await db.execute(sql`select status, count(*)::int n from messages group by 1`)) as unknown as unknown[];
    console.log(check, (await db.execute(sql`select status, count(*)::int n from webhook_events group by 1`)));
  } finally {
    await h.close();
    await scratch.drop();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
