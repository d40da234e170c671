// npm run bench:inbox – the inbox at scale (issue 21): 1,000,000 subscribers, 2,000,000 conversations, 10,000,000 messages.
//   1. Seeds them with set-based SQL (bench/seed-scale.ts, shared with bench:subscribers) plus the chats kept from them:
//      unread counts, 30 % assigned among five agents, open windows, ad conversations, three numbers; target < 6 min.
//   2. Times the real lib/ functions: the inbox list's first page and a deep keyset page (20 pages down) under each filter,
//      alone and combined, and searches by name and phone digits (p95 ≤ 50 ms); the nav badge's unread count (≤ 50 ms,
//      read from chats by an index, never from messages); a chat's latest 50 messages (≤ 20 ms). A miss is measured once more.
//   3. EXPLAIN (ANALYZE, BUFFERS) of every statement those calls ran; fails on a Seq Scan of chats, messages, subscribers or
//      conversations, or on a scan that reads most of one.
//   4. Replies over HTTP: POST /api/v1/conversations/{id}/messages on `next start` (needs `npm run build`), API key,
//      distinct chats with an open window, distinct Idempotency-Keys, at a constant 100 requests/s for 30 s: p95 ≤ 30 ms;
//      then every reply must be accepted by Meta's API (a fake Graph server in this process) within a few seconds,
//      with exactly one send per reply.
// Uses BENCH_DATABASE_URL, or a fresh database on postgres://postgres@127.0.0.1:5432 (dropped at the end).
// BENCH_SUBSCRIBERS / BENCH_CONVERSATIONS / BENCH_MESSAGES / BENCH_RUNS / BENCH_RATE / BENCH_SECONDS scale it down for a
// quick try; BENCH_VERBOSE=1 times each seed statement; BENCH_SKIP_HTTP=1 leaves out part 4.
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type Db, openDatabase } from "../db/client";
import * as schema from "../db/schema";
import { startFakeGraph } from "../e2e/fakes/fake-graph";
import { serveCloudMessages } from "../e2e/fakes/fake-senders";
import { createApiKey } from "../lib/api-keys";
import { encryptSecret } from "../lib/crypto";
import { type ChatFilters, chatFiltersSchema, listChats } from "../lib/inbox/list";
import { createReply } from "../lib/inbox/send";
import { replyDepsFromEnv } from "../lib/inbox/deliver-reply";
import { getTranscript } from "../lib/inbox/transcript";
import { constantRate, percentile as ratePercentile } from "./constant-rate";
import { freshDatabase } from "./database";
import { adId, explainCall, measure, type PlanCheck, RUNS, type Statement, seed, uuidOf, WARM_UP } from "./seed-scale";
import { startBenchServer } from "./server";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 2 * SUBSCRIBERS);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5 * CONVERSATIONS);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PORT = Number(process.env.BENCH_PORT ?? 3430);
const PAGE = 50; // the inbox's page size
const BADGE = 99; // components/inbox/unread-badge.tsx: one page of unread chats, "99+" past it
const DEEP_PAGES = 20;
const TARGET = { seedS: 360, list: 50, badge: 50, transcript: 20, reply: 30, settleS: 5 };
const LONG_EVERY = 9973; // one subscriber in ~10,000 has a long chat
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const TOKEN = "EAAG-bench-inbox-token";

const log = (line = "") => console.info(line);
const ms = (n: number) => n.toFixed(1).padStart(7);
const fmt = (n: number) => Math.round(n).toLocaleString("en");

type Outcome = { name: string; value: string; target: string; pass: boolean };

async function main() {
  const now = new Date();
  const graph = await startFakeGraph();
  const database = await freshDatabase("ct_bench_inbox");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    ENCRYPTION_KEY,
    AUTH_SECRET: "bench-auth-secret-0123456789abcdefghij",
    CRON_SECRET: "bench-cron-secret-012345",
    GRAPH_API_BASE: graph.url,
    GRAPH_API_VERSION: "v24.0",
  });
  const handle = await openDatabase({ url: database.url, max: 8 });
  const traceClient = postgres(database.url, { max: 1, onnotice: () => {} });
  const outcomes: Outcome[] = [];
  const plans: PlanCheck[] = [];
  const outcome = (name: string, value: string, target: string, pass: boolean) => outcomes.push({ name, value, target, pass });
  let server: { url: string; stop: () => void } | undefined;
  try {
    await handle.migrate();
    const db = handle.db;

    // ------------------------------------------------------------------ 1. seed
    const seeded = await seed(db, database.url, now, {
      subscribers: SUBSCRIBERS,
      conversations: CONVERSATIONS,
      inbox: {
        messagesPerConversation: Math.max(1, Math.round(MESSAGES / CONVERSATIONS)),
        recentShare: 0.012,
        longEvery: LONG_EVERY,
        longMessages: 300,
        agents: 5,
      },
    });
    const { tenant, counts } = seeded;
    const [shape] = await traceClient<{ open: number; assigned: number; mine: number; ads: number }[]>`
      select count(*) filter (where window_expires_at > ${now.toISOString()}::timestamptz)::int as open, count(assigned_user_id)::int as assigned,
        count(*) filter (where assigned_user_id = ${tenant.userIds[0]!})::int as mine, count(ad_id)::int as ads
      from chats where tenant_id = ${tenant.tenantId}`;
    log(
      `Seed: ${fmt(counts.subscribers)} subscribers, ${fmt(counts.conversations)} conversations, ${fmt(counts.messages)} messages, ${fmt(counts.chats)} chats, ${fmt(counts.conversions)} conversions (2 tenants)`,
    );
    log(
      `  chats of the big tenant: ${fmt(counts.unreadChats)} unread, ${fmt(shape!.open)} with an open window, ${fmt(shape!.assigned)} assigned (${fmt(shape!.mine)} to the viewer), ${fmt(shape!.ads)} from an ad`,
    );
    log(`  ${seeded.seconds.toFixed(1)} s (target < ${TARGET.seedS} s): ${seeded.phase.join(", ")}`);
    outcome("seed", `${seeded.seconds.toFixed(1)} s`, `< ${TARGET.seedS} s`, seeded.seconds < TARGET.seedS);

    const statements: Statement[] = [];
    const trace = {
      client: traceClient,
      log: statements,
      db: drizzle(traceClient, { schema, logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as Db,
    };
    const sizes = { subscribers: counts.subscribers, conversations: counts.conversations, messages: counts.messages, chats: counts.chats };
    const viewer = tenant.userIds[0]!;
    const star = (r: { repeated: boolean }) => (r.repeated ? "*" : " ");

    // ------------------------------------------------------------------ 2. the list under each filter
    const f = (raw: Record<string, string>) => chatFiltersSchema.parse(raw);
    const second = tenant.numbers[1]!;
    const cases: [string, ChatFilters][] = [
      ["none", f({})],
      ["number (2nd)", f({ numberId: second })],
      ["assigned=me", f({ assigned: "me" })],
      ["assigned=unassigned", f({ assigned: "unassigned" })],
      ["unread", f({ unread: "true" })],
      ["windowOpen", f({ windowOpen: "true" })],
      ["adId (#8)", f({ adId: adId(7) })],
      ["q name Priya", f({ q: "Priya" })],
      ["q name Olga Ivanova", f({ q: "Olga Ivanova" })],
      ["q phone +1 202", f({ q: "+1 202" })],
      ["q phone +44 7700", f({ q: "+44 7700" })],
      ["assigned=me unread", f({ assigned: "me", unread: "true" })],
      ["number windowOpen", f({ numberId: second, windowOpen: "true" })],
      ["assigned=unassigned unread", f({ assigned: "unassigned", unread: "true" })],
      ["adId (#1) unread", f({ adId: adId(0), unread: "true" })],
      ["number assigned=me q Maria", f({ numberId: tenant.numbers[0]!, assigned: "me", q: "Maria" })],
    ];
    const listOf = (d: Db, filters: ChatFilters, cursor?: string, limit = PAGE) =>
      listChats(d, { tenantId: tenant.tenantId, viewerUserId: viewer, filters, cursor, limit, now });
    log();
    log(`List: listChats, ${PAGE} chats a page, p50 / p95 in ms over ${RUNS} runs after ${WARM_UP} warm-up (* = measured twice)`);
    log(
      `  ${"filter".padEnd(30)} ${"rows".padStart(5)} ${"first p50".padStart(9)} ${"p95".padStart(7)}   ${"deep page".padEnd(10)} ${"p50".padStart(7)} ${"p95".padStart(7)}   target`,
    );
    for (const [name, filters] of cases) {
      let cursor: string | undefined;
      let page = 1;
      const firstRows = (await listOf(db, filters)).rows.length;
      while (page <= DEEP_PAGES) {
        const next = (await listOf(db, filters, cursor)).nextCursor;
        if (!next) break;
        cursor = next;
        page++;
      }
      const deepLabel = page > DEEP_PAGES ? `p${page}` : `p${page} last`;
      const first = await measure(TARGET.list, () => listOf(db, filters));
      const deep = await measure(TARGET.list, () => listOf(db, filters, cursor));
      log(
        `  ${name.padEnd(30)} ${String(firstRows).padStart(5)} ${ms(first.p50).padStart(9)} ${ms(first.p95)}${star(first)}  ${deepLabel.padEnd(10)} ${ms(deep.p50)} ${ms(deep.p95)}${star(deep)}  ≤ ${TARGET.list}`,
      );
      outcome(`list ${name} · first`, `p95 ${first.p95.toFixed(1)} ms`, `≤ ${TARGET.list} ms`, first.p95 <= TARGET.list);
      outcome(`list ${name} · ${deepLabel}`, `p95 ${deep.p95.toFixed(1)} ms`, `≤ ${TARGET.list} ms`, deep.p95 <= TARGET.list);
      plans.push(...(await explainCall(trace, sizes, `list ${name} · first`, (d) => listOf(d, filters))));
      plans.push(...(await explainCall(trace, sizes, `list ${name} · ${deepLabel}`, (d) => listOf(d, filters, cursor))));
    }

    // ------------------------------------------------------------------ 3. unread badge, transcript
    const badgeOf = (d: Db) => listChats(d, { tenantId: tenant.tenantId, viewerUserId: viewer, filters: f({ unread: "true" }), limit: BADGE, now });
    const badgePage = await badgeOf(db);
    const badge = await measure(TARGET.badge, () => badgeOf(db));
    const badgePlans = await explainCall(trace, sizes, "unread badge", badgeOf);
    plans.push(...badgePlans);
    // the count comes from chats.unread_count through the partial index: no statement may read messages
    const badgeReadsMessages = badgePlans.some((p) => p.scans.some((s) => / on messages /.test(`${s} `)));
    const badgeUsesIndex = badgePlans.some((p) => p.scans.some((s) => /^Index.* chats_tenant_unread_last_message_idx on chats/.test(s)));
    log();
    log(
      `Unread badge: listChats unread=true limit ${BADGE} (components/inbox/unread-badge.tsx) → "${badgePage.nextCursor ? `${BADGE}+` : badgePage.rows.length}"   p50 ${ms(badge.p50)}  p95 ${ms(badge.p95)}${star(badge)}  (target ≤ ${TARGET.badge} ms)`,
    );
    log(`  ${badgePlans.map((p) => p.scans.join(", ")).join(" | ")}`);
    outcome("unread badge", `p95 ${badge.p95.toFixed(1)} ms`, `≤ ${TARGET.badge} ms`, badge.p95 <= TARGET.badge);
    outcome(
      "unread badge plan",
      badgeReadsMessages ? "reads messages" : badgeUsesIndex ? "chats unread index" : "no unread index",
      "chats_tenant_unread_last_message_idx, no messages",
      !badgeReadsMessages && badgeUsesIndex,
    );

    const chatIdOf = (sn: string) => `${uuidOf(`'${tenant.tag}:ch:' || ${sn}`)}`;
    const longChats = (
      await traceClient.unsafe<{ id: string; n: number }[]>(
        `select ch.id::text as id, (select count(*)::int from messages m where m.subscriber_id = ch.subscriber_id) as n
         from chats ch where ch.id in (select ${chatIdOf("(1 + g * " + LONG_EVERY + ")")} from generate_series(0, ${Math.floor(SUBSCRIBERS / LONG_EVERY)}) g)`,
      )
    ).filter((r) => r.n > PAGE);
    const anyChats = (
      await traceClient.unsafe<{ id: string }[]>(
        `select ch.id::text as id from chats ch where ch.id in (select ${chatIdOf(`(1 + floor(random() * ${SUBSCRIBERS}))::int`)} from generate_series(1, ${RUNS + WARM_UP}))`,
      )
    ).map((r) => r.id);
    const transcriptOf = (d: Db, chatId: string) => getTranscript(d, { tenantId: tenant.tenantId, chatId, limit: PAGE });
    const pickOf = (list: string[]) => (i: number) => list[(i + list.length * 10) % list.length]!;
    const longPick = pickOf(longChats.map((c) => c.id));
    const anyPick = pickOf(anyChats);
    const longT = await measure(TARGET.transcript, (i) => transcriptOf(db, longPick(i)));
    const anyT = await measure(TARGET.transcript, (i) => transcriptOf(db, anyPick(i)));
    const olderCursor = (await transcriptOf(db, longPick(0))).nextCursor ?? undefined;
    const olderT = await measure(TARGET.transcript, () =>
      getTranscript(db, { tenantId: tenant.tenantId, chatId: longPick(0), cursor: olderCursor, limit: PAGE }),
    );
    plans.push(...(await explainCall(trace, sizes, "transcript long chat", (d) => transcriptOf(d, longPick(0)))));
    plans.push(
      ...(await explainCall(trace, sizes, "transcript older page", (d) =>
        getTranscript(d, { tenantId: tenant.tenantId, chatId: longPick(0), cursor: olderCursor, limit: PAGE }),
      )),
    );
    plans.push(...(await explainCall(trace, sizes, "transcript random chat", (d) => transcriptOf(d, anyPick(0)))));
    const longest = Math.max(0, ...longChats.map((c) => c.n));
    log();
    log(`Transcript: getTranscript, latest ${PAGE} messages with reactions, quotes, conversations and conversions`);
    log(
      `  ${String(longChats.length).padStart(4)} long chats (${fmt(longest)} messages at most)    p50 ${ms(longT.p50)}  p95 ${ms(longT.p95)}${star(longT)}  (target ≤ ${TARGET.transcript} ms)`,
    );
    log(`  the next ${PAGE} of a long chat              p50 ${ms(olderT.p50)}  p95 ${ms(olderT.p95)}${star(olderT)}`);
    log(`  ${String(anyChats.length).padStart(4)} random chats                       p50 ${ms(anyT.p50)}  p95 ${ms(anyT.p95)}${star(anyT)}`);
    outcome("transcript long chat", `p95 ${longT.p95.toFixed(1)} ms`, `≤ ${TARGET.transcript} ms`, longChats.length > 0 && longT.p95 <= TARGET.transcript);
    outcome("transcript older page", `p95 ${olderT.p95.toFixed(1)} ms`, `≤ ${TARGET.transcript} ms`, olderT.p95 <= TARGET.transcript);
    outcome("transcript random chat", `p95 ${anyT.p95.toFixed(1)} ms`, `≤ ${TARGET.transcript} ms`, anyT.p95 <= TARGET.transcript);

    // ------------------------------------------------------------------ 4. replies over HTTP
    // the big tenant's numbers get a Phone Number ID the fake answers for and an access token
    const numbers = await traceClient<{ id: string; pnid: string }[]>`
      update whatsapp_numbers n set phone_number_id = '1065403522' || lpad(x.i::text, 3, '0'), access_token_enc = ${encryptSecret(TOKEN, ENCRYPTION_KEY)}
      from (select id, row_number() over (order by id) as i from whatsapp_numbers where tenant_id = ${tenant.tenantId}) x
      where n.id = x.id returning n.id, n.phone_number_id as pnid`;
    const sends = serveCloudMessages(graph, Object.fromEntries(numbers.map((n) => [n.pnid, TOKEN])));
    const apiKey = (await createApiKey(db, { tenantId: tenant.tenantId, name: "bench", createdBy: null })).secret;
    const warmCount = RATE * 3;
    const loadCount = RATE * SECONDS;
    const open = (
      await traceClient<{ id: string }[]>`
        select id::text as id from chats where tenant_id = ${tenant.tenantId} and window_expires_at > ${new Date(now.getTime() + 30 * 60_000).toISOString()}::timestamptz
        order by md5(id::text) limit ${warmCount + loadCount}`
    ).map((r) => r.id);
    const distinct = open.length >= warmCount + loadCount;
    const replyText = (key: string) => `Thanks! We'll get back to you shortly. (${key})`;
    // replies at a constant arrival rate, each to its own chat (offset + i) with its own Idempotency-Key
    const post = async (run: string, offset: number, amount: number) => {
      const statuses = new Map<number, number>();
      const result = await constantRate({
        url: server!.url,
        path: (i) => `/api/v1/conversations/${open[(offset + i) % open.length]}/messages`,
        rate: RATE,
        connections: CONNECTIONS,
        amount,
        request: (i) => ({
          body: JSON.stringify({ type: "text", text: replyText(`${run}-${i}`) }),
          headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, "idempotency-key": `${run}-${i}` },
        }),
        onResponse: (status) => statuses.set(status, (statuses.get(status) ?? 0) + 1),
      });
      return { result, statuses };
    };
    if (process.env.BENCH_SKIP_HTTP) {
      log();
      log("Replies over HTTP: skipped (BENCH_SKIP_HTTP)");
    } else {
      // the seed's dirty pages are written now, not by a checkpoint in the middle of the load (its I/O stalls commits)
      await traceClient`checkpoint`;
      server = await startBenchServer(PORT);
      await post("warm", 0, warmCount);
      const sendsBefore = sends.sends.length;
      const load = await post("load", warmCount, loadCount);
      const loadEnd = Date.now();
      // Cloud API replies end at `accepted` once Meta's API took them (`sent` comes with Meta's status webhook)
      const settled = async () =>
        (
          await traceClient<{ done: number; pending: number; failed: number }[]>`
            select count(*) filter (where status in ('accepted', 'sent', 'delivered', 'read'))::int as done,
              count(*) filter (where status = 'pending')::int as pending, count(*) filter (where status = 'failed')::int as failed
            from messages where tenant_id = ${tenant.tenantId} and idempotency_key like 'load-%'`
        )[0]!;
      let state = await settled();
      while (state.done + state.failed < loadCount && Date.now() - loadEnd < 30_000) {
        await new Promise((r) => setTimeout(r, 100));
        state = await settled();
      }
      const settleS = (Date.now() - loadEnd) / 1000;
      const texts = sends.sends.slice(sendsBefore).map((s) => String((s.body.text as { body?: string } | undefined)?.body ?? ""));
      const perReply = new Map<string, number>();
      for (const t of texts) {
        const key = /\((load-\d+)\)$/.exec(t)?.[1];
        if (key) perReply.set(key, (perReply.get(key) ?? 0) + 1);
      }
      const once = [...perReply.values()].filter((n) => n === 1).length;
      const twice = [...perReply.values()].filter((n) => n > 1).length;
      const created = load.statuses.get(201) ?? 0;
      const p = (q: number) => ratePercentile(load.result.latencies, q);
      log();
      log(
        `Replies: POST /api/v1/conversations/{id}/messages on next start (PostgreSQL), API key, text, fake Graph on loopback, constant ${RATE} req/s for ${SECONDS} s over up to ${CONNECTIONS} connections`,
      );
      log(
        `  ${fmt(loadCount)} replies to ${distinct ? "distinct" : `${fmt(open.length)} (too few for distinct)`} chats with an open window (after ${fmt(warmCount)} warm-up replies to others)`,
      );
      log(
        `  ${fmt(load.result.achievedRate)} req/s   p50 ${p(50).toFixed(1)} ms   p95 ${p(95).toFixed(1)} ms   p99 ${p(99).toFixed(1)} ms   max ${p(100).toFixed(1)} ms   statuses ${[...load.statuses].map(([s, n]) => `${s}×${n}`).join(" ")}   errors ${load.result.errors}`,
      );
      log(
        `  accepted by Meta's API (status accepted or later) ${fmt(state.done)} of ${fmt(loadCount)} within ${settleS.toFixed(1)} s of the load   pending ${state.pending}   failed ${state.failed}`,
      );
      log(`  sends at the fake ${fmt(texts.length)}: ${fmt(once)} replies sent exactly once, ${twice} more than once, ${fmt(loadCount - perReply.size)} never`);
      outcome(`reply p95 at ${RATE} req/s`, `p95 ${p(95).toFixed(1)} ms`, `≤ ${TARGET.reply} ms`, p(95) <= TARGET.reply);
      outcome("reply rate held", `${fmt(load.result.achievedRate)} req/s`, `≥ ${Math.round(RATE * 0.97)} req/s`, load.result.achievedRate >= RATE * 0.97);
      outcome("reply answers 201", `${fmt(created)} of ${fmt(loadCount)}`, "all, no errors", created === loadCount && load.result.errors === 0);
      outcome(
        "replies sent",
        `${fmt(state.done)} in ${settleS.toFixed(1)} s`,
        `all within ${TARGET.settleS} s`,
        state.done === loadCount && settleS <= TARGET.settleS,
      );
      outcome("one send per reply", `${fmt(once)} once, ${twice} twice`, `${fmt(loadCount)} once`, once === loadCount && twice === 0);
      outcome("replies to distinct chats", distinct ? "yes" : `${fmt(open.length)} chats`, `${fmt(warmCount + loadCount)} chats`, distinct);
    }
    // the reply's own statements (what the API runs before answering), on another open chat
    const reserve = open[open.length - 1]!;
    plans.push(
      ...(await explainCall(
        trace,
        sizes,
        "reply (createReply)",
        (d) =>
          createReply(d, replyDepsFromEnv(), {
            tenantId: tenant.tenantId,
            chatId: reserve,
            userId: null,
            idempotencyKey: "explain-1",
            body: { type: "text", text: "Explained" },
            now: new Date(),
          }),
        { writes: true },
      )),
    );

    // ------------------------------------------------------------------ 5. plans
    log();
    log("Plans (EXPLAIN (ANALYZE, BUFFERS) of each statement run): top node › scans (rows read) · buffers hit/read");
    for (const p of plans) {
      log(`  ${p.problems.length ? "FAIL" : "ok  "} ${p.label}: ${p.top} › ${p.scans.join(", ")}${p.buffers ? ` · ${p.buffers}` : ""}`);
      for (const problem of p.problems) log(`         ${problem}`);
    }
    const badPlans = plans.filter((p) => p.problems.length > 0);
    outcome(
      "plans",
      `${plans.length - badPlans.length} of ${plans.length} use indexes`,
      "no Seq Scan / full read of chats, messages, subscribers, conversations",
      badPlans.length === 0,
    );
  } finally {
    server?.stop();
    await traceClient.end();
    await handle.close();
    await database.drop();
    await graph.close();
  }

  log();
  log("Summary");
  for (const o of outcomes) log(`  ${o.pass ? "met   " : "MISSED"}  ${o.name.padEnd(44)} ${o.value.padEnd(24)} target ${o.target}`);
  const failed = outcomes.filter((o) => !o.pass);
  log(failed.length ? `\n${failed.length} of ${outcomes.length} targets MISSED` : `\nAll ${outcomes.length} targets met`);
  if (failed.length) process.exitCode = 1;
}

await main();
