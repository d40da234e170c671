// npm run bench:drip – the drip run over a large due queue on the local PostgreSQL, with the Cloud API
// and Green API played by fake HTTP servers: 100,000 due rows over 20 numbers (10 Cloud with a bound
// template, 10 Green API), each number at 80 messages/s. Prints sends/s overall, the highest per-number
// rate seen in any second, duplicates at the fakes, and the process's RSS along the way.
// Uses BENCH_DATABASE_URL, or a fresh database on postgres://postgres@127.0.0.1:5432.
import { count, eq, sql } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { insertTenant } from "../db/queries";
import { outboundMessages, templates, whatsappNumbers } from "../db/schema";
import { startFakeGraph } from "../e2e/fakes/fake-graph";
import { startFakeGreenApi } from "../e2e/fakes/fake-green-api";
import { serveCloudMessages, serveGreenSendMessage } from "../e2e/fakes/fake-senders";
import { runDrip } from "../lib/drip/dispatch";
import { parseHostRules } from "../lib/egress";
import { greenEgressPolicy } from "../lib/whatsapp/green-client";
import { createNumber } from "../lib/numbers/numbers";
import { numberFormSchema } from "../lib/numbers/schemas";
import { freshDatabase } from "./database";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const NUMBERS = 20;
const RATE = Number(process.env.BENCH_RATE ?? 80);
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const fmt = (n: number) => Math.round(n).toLocaleString("en");
const mb = () => Math.round(process.memoryUsage().rss / 1_048_576);

const graph = await startFakeGraph();
const green = await startFakeGreenApi();
const cloudTokens: Record<string, string> = {};
const greenTokens: Record<string, string> = {};
for (let i = 0; i < NUMBERS / 2; i++) {
  cloudTokens[`10654035224${String(i).padStart(4, "0")}`] = `EAAG-bench-${i}`;
  greenTokens[`770000${String(i).padStart(4, "0")}`] = `green-bench-${i}`;
}
const cloud = serveCloudMessages(graph, cloudTokens);
const greenSends = serveGreenSendMessage(green, greenTokens);
// the fakes keep every request and send for tests; the bench folds them into counts every second so that
// the RSS it prints is the dispatcher's, not the fakes' records
const perNumberSecond = new Map<string, number>();
const recipients = new Set<string>();
let sendCount = 0;
const fold = () => {
  graph.requests.length = 0;
  green.requests.length = 0;
  for (const s of [...cloud.sends.splice(0), ...greenSends.sends.splice(0)]) {
    sendCount++;
    recipients.add(String(s.body.to ?? s.body.chatId));
    const key = `${s.sender}:${Math.floor(s.at / 1000)}`;
    perNumberSecond.set(key, (perNumberSecond.get(key) ?? 0) + 1);
  }
};
const trim = setInterval(fold, 1_000);

const database = await freshDatabase("ct_bench_drip");
const handle = await openDatabase({ url: database.url, max: 10 });
await handle.migrate();
const db = handle.db;
const tenantId = (await insertTenant(db, { name: "Bench" })).id;
// the fake Green API is on 127.0.0.1: allowed as an operator would with GREEN_API_HOSTS
const greenEgress = greenEgressPolicy(parseHostRules("127.0.0.1"));
const keys = { encryptionKey: ENCRYPTION_KEY, appUrl: "http://bench", greenEgress };
const numberIds: string[] = [];
for (const [i, [pnid, token]] of Object.entries(cloudTokens).entries()) {
  const n = await createNumber(db, keys, {
    tenantId,
    input: numberFormSchema.parse({
      provider: "cloud",
      label: `Cloud ${i}`,
      phoneE164: `+1555078${String(3800 + i)}`,
      phoneNumberId: pnid,
      wabaId: "102290129340398",
      accessToken: token,
      appSecret: "s",
    }),
  });
  numberIds.push(n.id);
}
for (const [i, [instance, token]] of Object.entries(greenTokens).entries()) {
  const n = await createNumber(db, keys, {
    tenantId,
    input: numberFormSchema.parse({
      provider: "green",
      label: `Green ${i}`,
      phoneE164: `+1555078${String(3900 + i)}`,
      greenApiUrl: green.url,
      greenInstanceId: instance,
      greenApiToken: token,
    }),
  });
  numberIds.push(n.id);
}
await db.update(whatsappNumbers).set({ sendRatePerSecond: RATE }).where(eq(whatsappNumbers.tenantId, tenantId));
const [template] = await db
  .insert(templates)
  .values({
    tenantId,
    name: "welcome",
    title: "Welcome",
    content: "Hello {{name}}, welcome to the course!",
    delayDays: 0,
    metaTemplate: { name: "welcome", language: "en_US", parameters: [{ key: "1", variable: "name" }] },
  })
  .returning();
const seedStart = Date.now();
await db.execute(sql`insert into ${outboundMessages} (tenant_id, number_id, phone, template_id, template_name, scheduled_at)
  select ${tenantId}::uuid, (${sql.raw(`array[${numberIds.map((id) => `'${id}'::uuid`).join(",")}]`)})[1 + g % ${NUMBERS}], '+1' || (4152000000 + g)::text, ${template!.id}::uuid, 'welcome', now() - interval '1 minute'
  from generate_series(1, ${ROWS}) g`);
console.info(
  `Drip run, local PostgreSQL, fake Cloud API + Green API: ${fmt(ROWS)} due rows over ${NUMBERS} numbers at ${RATE}/s each (seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s)`,
);

const rss: number[] = [mb()];
const sampler = setInterval(() => rss.push(mb()), 2_000);
const started = Date.now();
let runs = 0;
const totals = { claimed: 0, sent: 0, failed: 0, retried: 0, skipped: 0, cancelled: 0 };
while (Date.now() - started < 600_000) {
  const r = await runDrip(db, { encryptionKey: ENCRYPTION_KEY, graph: { base: graph.url, version: "v24.0" }, greenEgress }, { budgetMs: 50_000 });
  runs++;
  for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
  if (r.claimed === 0) break;
}
const seconds = (Date.now() - started) / 1000;
clearInterval(sampler);
clearInterval(trim);

fold();
const highest = Math.max(0, ...perNumberSecond.values());
const duplicates = sendCount - recipients.size;
const sentRows = Number((await db.select({ n: count() }).from(outboundMessages).where(eq(outboundMessages.status, "sent")))[0]?.n ?? 0);

console.info(
  `  sent ${fmt(sendCount)} in ${seconds.toFixed(1)} s = ${fmt(sendCount / seconds)} sends/s overall (target ≥ 1,000) in ${runs} run${runs === 1 ? "" : "s"}`,
);
console.info(
  `  highest per-number rate in any second: ${highest}/s (limit ${RATE}/s)   duplicates: ${duplicates}   rows sent ${fmt(sentRows)} of ${fmt(ROWS)}   failed ${totals.failed}   retried ${totals.retried}   skipped ${totals.skipped}`,
);
console.info(`  RSS MB: start ${rss[0]}, max ${Math.max(...rss)}, end ${rss[rss.length - 1]} (samples every 2 s: ${rss.join(" ")})`);

await handle.close();
await database.drop();
await graph.close();
await green.close();
