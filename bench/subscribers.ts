// npm run bench:subscribers – the subscriber list, detail page, attribution report and CSV export at scale.
//   1. Seeds 1,000,000 subscribers and 2,000,000 conversations (50 ads in 20 ad sets and 10 campaigns, posts,
//      organic chats) plus messages and conversions with set-based SQL; target < 3 min.
//   2. Times the real lib/ functions: each list filter's first page and a deep keyset page (p95 ≤ 50 ms, search
//      ≤ 100 ms), the detail page (≤ 20 ms), the 30-day report (≤ 500 ms), and the whole export in a child
//      process (peak RSS < 300 MB). A missed target is measured once more (other processes share the 2 cores).
//   3. EXPLAIN ANALYZEs every statement those calls ran and fails on a Seq Scan of subscribers or conversations,
//      or on any scan that reads most of either table.
// Uses BENCH_DATABASE_URL, or a fresh database on postgres://postgres@127.0.0.1:5432 (dropped at the end).
// BENCH_SUBSCRIBERS / BENCH_CONVERSATIONS / BENCH_RUNS scale it down for a quick try; BENCH_VERBOSE=1 times each seed statement.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type Db, openDatabase } from "../db/client";
import { insertTenant } from "../db/queries";
import * as schema from "../db/schema";
import { attributionReport } from "../lib/subscribers/attribution";
import { exportSubscribersCsv } from "../lib/subscribers/export";
import { listSubscribers } from "../lib/subscribers/list";
import { type SubscriberFilters, subscriberFiltersSchema } from "../lib/subscribers/list-filters";
import { loadSubscriberPage } from "../lib/subscribers/read";
import { freshDatabase } from "./database";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 2 * SUBSCRIBERS);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARM_UP = 3;
const PAGE = 50; // the console's page size
const DEEP_PAGES = 20;
const DAY = 86_400_000;
const TARGET = { seedS: 180, list: 50, search: 100, detail: 20, report: 500, exportRssMb: 300 };

const log = (line = "") => console.info(line);
const ms = (n: number) => n.toFixed(1).padStart(7);
const lit = (s: string | null) => (s === null ? "null" : `'${s.replaceAll("'", "''")}'`);
const textArray = (values: (string | null)[]) => `(array[${values.map(lit).join(", ")}]::text[])`;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------- seed data
// calling code, mobile prefix, country, timezone, share (%): + 9 distinct digits per subscriber
const COUNTRIES: [string, string, string, string, number][] = [
  ["1", "2", "US", "America/New_York", 22],
  ["1", "4", "US", "America/Los_Angeles", 8],
  ["91", "9", "IN", "Asia/Kolkata", 20],
  ["7", "9", "RU", "Europe/Moscow", 10],
  ["44", "7", "GB", "Europe/London", 8],
  ["55", "11", "BR", "America/Sao_Paulo", 10],
  ["52", "5", "MX", "America/Mexico_City", 6],
  ["49", "15", "DE", "Europe/Berlin", 5],
  ["62", "8", "ID", "Asia/Jakarta", 6],
  ["234", "8", "NG", "Africa/Lagos", 5],
];
const FIRST = [
  "Ana",
  "Maria",
  "José",
  "Lucas",
  "Priya",
  "Rahul",
  "Aarav",
  "Olga",
  "Ivan",
  "Dmitri",
  "Emma",
  "Olivia",
  "James",
  "Noah",
  "Sophia",
  "Mohammed",
  "Fatima",
  "Chloe",
  "Ali",
  "Wei",
  "Yuki",
  "Hannah",
  "Lena",
  "Carlos",
  "Diego",
  "Sofia",
  "Amara",
  "Chinedu",
  "Siti",
  "Budi",
  "Oliver",
  "Harry",
  "Isabella",
  "Mateo",
  "Valentina",
  "Gabriel",
  "Ananya",
  "Vikram",
  "Анна",
  "Сергей",
];
const LAST = [
  "Silva",
  "Santos",
  "Oliveira",
  "Sharma",
  "Patel",
  "Singh",
  "Ivanov",
  "Ivanova",
  "Smith",
  "Johnson",
  "Brown",
  "Garcia",
  "Martinez",
  "Rodriguez",
  "Müller",
  "Schmidt",
  "Okafor",
  "Adeyemi",
  "Wijaya",
  "Santoso",
  "Khan",
  "Ahmed",
  "Williams",
  "Jones",
  "Kumar",
  "Gupta",
  "Petrov",
  "Lopez",
  "Hernandez",
  "Nguyen",
  "Kim",
  "Tanaka",
  "Rossi",
  "Costa",
  "Pereira",
  "Souza",
  "Fischer",
  "Reddy",
  "Иванов",
  "Смирнова",
];
const CAMPAIGNS = [
  "Spring Sale",
  "Summer Launch",
  "Back to School",
  "Black Friday",
  "Holiday Gifts",
  "New Year Deals",
  "Retargeting",
  "Lookalike 1%",
  "Brand Awareness",
  "Clearance",
];
const HEADLINES = [
  "Chat with us on WhatsApp",
  "Get 20% off today",
  "Free delivery this week",
  "Ask us anything",
  "New collection is here",
  "Book a free consultation",
  "Limited stock",
  "Your size is back",
];
const campaignId = (c: number) => `12021${String(c).padStart(13, "0")}`;
const adId = (a: number) => `12023${String(a).padStart(13, "0")}`;

/** Referral sources by code: 0–49 the ads (ad a → ad set a % 20 → campaign a % 10), 50 a page post, 51 organic. */
const SOURCES = [
  ...Array.from({ length: 50 }, (_, a) => {
    const set = a % 20;
    const campaign = set % 10;
    const adset = `${CAMPAIGNS[campaign]} · ${set < 10 ? "Broad" : "Lookalike"}`;
    return {
      source_type: "ad",
      source_id: adId(a),
      ad_id: adId(a),
      ad_name: `${adset} · Creative ${a + 1}`,
      adset_id: `12022${String(set).padStart(13, "0")}`,
      adset_name: adset,
      campaign_id: campaignId(campaign),
      campaign_name: CAMPAIGNS[campaign]!,
      creative_id: `12024${String(a).padStart(13, "0")}`,
      creative_name: `Creative ${a + 1}`,
      headline: HEADLINES[a % HEADLINES.length]!,
      media_type: a % 3 === 0 ? "video" : "image",
      image_url: `https://scontent.xx.fbcdn.net/v/t45.1600-4/${adId(a)}.jpg`,
      source_url: `https://fb.me/${(a * 7919).toString(36)}ad`,
    };
  }),
  {
    source_type: "post",
    source_id: "102290129340398_918273645",
    ad_id: null,
    ad_name: null,
    adset_id: null,
    adset_name: null,
    campaign_id: null,
    campaign_name: null,
    creative_id: null,
    creative_name: null,
    headline: "Our new collection",
    media_type: "image",
    image_url: "https://scontent.xx.fbcdn.net/v/post.jpg",
    source_url: "https://www.facebook.com/102290129340398/posts/918273645",
  },
];
type SourceColumn = keyof (typeof SOURCES)[number];
/** A source column for a code expression (51, organic, gives null). */
const sourceOf = (column: SourceColumn, code: string) => `${textArray(SOURCES.map((s) => s[column]))}[${code} + 1]`;

type TenantSeed = { tag: string; tenantId: string; numbers: string[]; subscribers: number; conversations: number };

/** The number a subscriber writes to (62 / 25 / 13 % over three numbers); the same for its conversations. */
function numberOf(t: TenantSeed, sn: string) {
  const [a, b, c] = t.numbers;
  if (!b || !c) return `${lit(a!)}::uuid`;
  const h = `(hashint4(${sn} + 7919) & 15)`;
  return `(case when ${h} < 10 then ${lit(a!)} when ${h} < 14 then ${lit(b)} else ${lit(c)} end)::uuid`;
}
/** A v4-shaped uuid from a key (the list cursor only accepts RFC uuids), so rows can point at each other before insert. */
const uuidOf = (key: string) => `overlay(overlay(md5(${key}) placing '4' from 13) placing '8' from 17)::uuid`;
const subscriberId = (t: TenantSeed, sn: string) => uuidOf(`'${t.tag}:s:' || ${sn}`);
const conversationId = (t: TenantSeed, cn: string) => uuidOf(`'${t.tag}:c:' || ${cn}`);
const clickId = (t: TenantSeed, cn: string) => `'AR' || md5('${t.tag}:clid:' || ${cn}) || md5('${t.tag}:clid2:' || ${cn})`;

/**
 * One tenant's rows. Subscribers are numbered in first-seen order; 1 in 97 never wrote (no conversations). Every other
 * subscriber's first conversation starts when it is first seen, the rest start at random times afterwards; conversations
 * are numbered (cn) in start order, so each subscriber's first/last touch, current conversation and click id come from
 * one aggregate over the same plan the conversations are inserted from.
 */
function tenantStatements(t: TenantSeed, now: Date): string[] {
  const t0 = `'${new Date(now.getTime() - 365 * DAY).toISOString()}'::timestamptz`;
  const span = 365 * 86_400;
  const n = t.subscribers;
  const extra = t.conversations - (n - Math.floor(n / 97));
  const at = `'${now.toISOString()}'::timestamptz`;
  const buckets = COUNTRIES.flatMap(([cc, prefix, iso, tz, share]) => Array.from({ length: share }, () => [cc + prefix, iso, tz] as const));
  const country = (i: 0 | 1 | 2) => textArray(buckets.map((b) => b[i]));
  const pick = (list: string[]) => `${textArray(list)}[1 + floor(random() * ${list.length})::int]`;
  return [
    `drop table if exists seed_sub, seed_raw, seed_conv, seed_agg`,
    `create temp table seed_sub (sn int, fs timestamptz)`,
    `create temp table seed_raw (sn int, t timestamptz)`,
    `create temp table seed_conv (cn int, sn int, started_at timestamptz, lm timestamptz, code int, clid boolean)`,
    `create temp table seed_agg (sn int, cur int, li timestamptz, convs int, ft bigint, lt bigint, has_clid boolean)`,
    `insert into seed_sub select g, ${t0} + (${span} * ((g - 1) + random()) / ${n}) * interval '1 second' from generate_series(1, ${n}) g`,
    `insert into seed_raw
       select sn, fs from seed_sub where sn % 97 <> 0
       union all
       select case when p % 97 = 0 then p - 1 else p end, t
       from (select t, greatest(1, floor(random() * ${n} * extract(epoch from t - ${t0}) / ${span}))::int as p
             from (select ${t0} + random() * ${span} * interval '1 second' as t from generate_series(1, ${extra})) x) y`,
    // ~60 % from an ad (skewed towards the first ads, 95 % with a click id), ~8 % from a post, the rest organic
    `insert into seed_conv
       select row_number() over (order by started_at, sn), sn, started_at, least(started_at + d * interval '1 second', ${at}), code, clid
       from (select r.sn, greatest(r.t, s.fs) as started_at, random() * 21600 as d, random() < 0.95 as clid,
               case when r.k < 0.60 then floor(50 * power(random(), 2))::int when r.k < 0.68 then 50 else 51 end as code
             from (select sn, t, random() as k from seed_raw) r join seed_sub s using (sn)) z`,
    `insert into seed_agg
       select sn, max(cn), max(lm), count(*), min(cn::bigint * 64 + code) filter (where code <= 50),
         max(cn::bigint * 64 + code) filter (where code <= 50), coalesce(bool_or(clid) filter (where code < 50), false)
       from seed_conv group by sn`,
    `insert into subscribers (id, tenant_id, wa_phone, wa_id, username, phone_hash, profile_name, number_id, conversation_id,
       conversation_expires_at, last_message_status, last_message_status_at, first_seen_at, last_inbound_at, inbound_count, outbound_count,
       last_outbound_at, status, lifecycle_state, lifecycle_changed_at, country, timezone, tags, opt_out_at, first_touch_conversation_id,
       last_touch_conversation_id, first_touch_source, first_touch_ad_id, first_touch_campaign_id, has_click_id, created_at, updated_at)
     select ${subscriberId(t, "x.sn")}, '${t.tenantId}', '+' || x.digits, x.digits,
       case when x.r_user < 0.03 then lower(x.first_name) || '_' || x.sn end, encode(sha256(convert_to(x.digits, 'UTF8')), 'hex'),
       case when x.r_name < 0.07 then null when x.r_name < 0.15 then x.first_name else x.first_name || ' ' || x.last_name end,
       ${numberOf(t, "x.sn")}, case when a.cur is not null then ${conversationId(t, "a.cur")} end, a.li + interval '24 hours',
       case when a.cur is not null and x.r_out < 0.6 then 'read' end, case when a.cur is not null and x.r_out < 0.6 then a.li + interval '2 minutes' end,
       x.fs, a.li, coalesce(a.convs, 0) * (1 + floor(x.r_out * 4)::int), coalesce(a.convs, 0) * (1 + floor(x.r_out * 3)::int),
       case when a.cur is not null then a.li + interval '1 minute' end,
       x.status, x.lifecycle, case when x.lifecycle <> 'lead' then coalesce(a.li, x.fs) end, x.country, x.tz,
       case when x.r_tag < 0.05 then array['vip'] when x.r_tag < 0.08 then array['wholesale', 'vip'] else '{}'::text[] end,
       case when x.status = 'opted_out' then coalesce(a.li, x.fs) end,
       case when a.ft is not null then ${conversationId(t, "a.ft / 64")} end, case when a.lt is not null then ${conversationId(t, "a.lt / 64")} end,
       ${sourceOf("source_type", "(a.ft % 64)::int")}, ${sourceOf("ad_id", "(a.ft % 64)::int")}, ${sourceOf("campaign_id", "(a.ft % 64)::int")},
       coalesce(a.has_clid, false), x.fs, coalesce(a.li, x.fs)
     from (select s.sn, s.fs, random() as r_user, random() as r_name, random() as r_out, random() as r_tag,
             ${pick(FIRST)} as first_name, ${pick(LAST)} as last_name,
             ${country(0)}[1 + b] || lpad(((s.sn::bigint * 618033989) % 1000000000)::text, 9, '0') as digits,
             ${country(1)}[1 + b] as country, ${country(2)}[1 + b] as tz,
             (array['active', 'inactive', 'opted_out', 'blocked'])[case when r_st < 0.95 then 1 when r_st < 0.97 then 2 when r_st < 0.985 then 3 else 4 end] as status,
             (array['lead', 'prospect', 'customer', 'repeat_customer'])[case when r_lc < 0.8 then 1 when r_lc < 0.92 then 2 when r_lc < 0.98 then 3 else 4 end] as lifecycle
           from (select sn, fs, (hashint4(sn) & 2147483647) % 100 as b, random() as r_st, random() as r_lc from seed_sub) s) x
     left join seed_agg a on a.sn = x.sn`,
    `insert into conversations (id, tenant_id, subscriber_id, number_id, started_at, last_message_at, window_expires_at, ctwa_clid, source_url,
       source_type, source_id, headline, body, media_type, image_url, thumbnail_url, welcome_text, ad_id, campaign_id, campaign_name, adset_id,
       adset_name, ad_name, creative_id, creative_name, enriched_at, created_at, updated_at)
     select ${conversationId(t, "c.cn")}, '${t.tenantId}', ${subscriberId(t, "c.sn")}, ${numberOf(t, "c.sn")}, c.started_at, c.lm,
       c.lm + interval '24 hours', case when c.code < 50 and c.clid then ${clickId(t, "c.cn")} end, ${sourceOf("source_url", "c.code")},
       ${sourceOf("source_type", "c.code")}, ${sourceOf("source_id", "c.code")}, ${sourceOf("headline", "c.code")},
       case when c.code <= 50 then 'Message us to get the offer' end, ${sourceOf("media_type", "c.code")}, ${sourceOf("image_url", "c.code")},
       ${sourceOf("image_url", "c.code")}, case when c.code < 50 then 'Hi! Please tell me more about this.' end,
       ${(["ad_id", "campaign_id", "campaign_name", "adset_id", "adset_name", "ad_name", "creative_id", "creative_name"] as const).map((col) => sourceOf(col, "c.code")).join(", ")},
       case when c.code < 50 then c.started_at + interval '1 minute' end, c.started_at, c.lm
     from seed_conv c`,
    // the detail page's timeline: every tenth subscriber has its messages (one in, one out per conversation)
    `insert into messages (tenant_id, subscriber_id, conversation_id, number_id, direction, wamid, type, text_preview, status, sent_at,
       delivered_at, read_at, provider_timestamp, created_at, updated_at)
     select '${t.tenantId}', ${subscriberId(t, "c.sn")}, ${conversationId(t, "c.cn")}, ${numberOf(t, "c.sn")}, d.direction,
       'wamid.bench.${t.tag}.' || c.cn || '.' || d.k, 'text', case d.k when 0 then 'Hi, I saw your ad' else 'Thanks for writing! How can we help?' end,
       case d.k when 0 then 'received' else 'read' end, case when d.k = 1 then c.started_at + interval '1 minute' end,
       case when d.k = 1 then c.started_at + interval '70 seconds' end, case when d.k = 1 then c.started_at + interval '2 minutes' end,
       c.started_at + d.k * interval '1 minute', c.started_at + d.k * interval '1 minute', c.started_at + d.k * interval '2 minutes'
     from seed_conv c cross join (values (0, 'inbound'), (1, 'outbound')) d(k, direction)
     where c.sn % 10 = 0`,
    // 5 % of ad conversations convert: purchases with a value, leads without; a few deliveries failed
    `insert into conversions (tenant_id, number_id, event_id, event_name, event_time, request_hash, conversation_id, subscriber_id, ctwa_clid,
       value, currency, status, attempts, sent_at, created_at, updated_at)
     select '${t.tenantId}', ${numberOf(t, "c.sn")}, 'ev-${t.tag}-' || c.cn, case when c.r2 < 0.6 then 'Purchase' else 'LeadSubmitted' end, c.et,
       md5('ev' || c.cn), ${conversationId(t, "c.cn")}, ${subscriberId(t, "c.sn")}, case when c.clid then ${clickId(t, "c.cn")} end,
       case when c.r2 < 0.6 then round((10 + c.r3 * 490)::numeric, 2) end, case when c.r2 < 0.6 then (array['USD', 'EUR', 'INR'])[1 + c.cn % 3] end,
       case when c.r4 < 0.9 then 'sent' when c.r4 < 0.95 then 'failed' else 'queued' end, 1,
       case when c.r4 < 0.9 then c.et + interval '5 seconds' end, c.et, c.et
     from (select *, least(lm + r3 * interval '3 days', ${at}) as et
           from (select c.*, random() as r, random() as r2, random() as r3, random() as r4 from seed_conv c where c.code < 50) c0 where r < 0.05) c`,
    `drop table seed_sub, seed_raw, seed_conv, seed_agg`,
  ];
}

const SEED_TABLES = ["subscribers", "conversations", "messages", "conversions"];

/** Loads both tenants; secondary indexes are dropped for the load and rebuilt from their exact definitions afterwards. */
async function seed(db: Db, url: string, now: Date) {
  const started = performance.now();
  const sq = postgres(url, { max: 1, onnotice: () => {} });
  const phase: string[] = [];
  const lap = (() => {
    let last = started;
    return (name: string) => {
      phase.push(`${name} ${((performance.now() - last) / 1000).toFixed(1)} s`);
      last = performance.now();
    };
  })();
  try {
    await sq.unsafe(`set synchronous_commit = off; set work_mem = '512MB'; set temp_buffers = '1GB'; set maintenance_work_mem = '512MB'`);
    const indexes = await sq<{ name: string; def: string }[]>`
      select indexname as name, indexdef as def from pg_indexes
      where schemaname = 'public' and tablename in ${sq(SEED_TABLES)}
        and not exists (select 1 from pg_constraint k where k.conindid = format('%I.%I', schemaname, indexname)::regclass)`;
    for (const i of indexes) await sq.unsafe(`drop index "${i.name}"`);
    const tenants: TenantSeed[] = [];
    for (const [tag, name, subs, convs, numberCount] of [
      ["a", "Bench", SUBSCRIBERS, CONVERSATIONS, 3],
      ["b", "Other tenant", 5_000, 10_000, 1],
    ] as const) {
      const tenantId = (await insertTenant(db, { name })).id;
      const numbers = await sq<{ id: string }[]>`
        insert into whatsapp_numbers (tenant_id, label, phone_e164, provider, phone_number_id, waba_id, verify_token, connection_status)
        select ${tenantId}, 'Number ' || g, '+1555010' || ${tag === "a" ? "0" : "1"} || g, 'cloud', '10654035224' || ${tag} || g, '1022901293403', md5(random()::text), 'connected'
        from generate_series(1, ${numberCount}) g returning id`;
      const t: TenantSeed = { tag, tenantId, numbers: numbers.map((r) => r.id), subscribers: subs, conversations: convs };
      await sq.unsafe(`insert into ads (tenant_id, ad_id, number_id, ad_name, adset_id, adset_name, campaign_id, campaign_name, creative_id, creative_name,
        status, attempts, enriched_at, first_seen_at)
        select '${t.tenantId}', ${sourceOf("ad_id", "g")}, '${t.numbers[0]}', ${(["ad_name", "adset_id", "adset_name", "campaign_id", "campaign_name", "creative_id", "creative_name"] as const).map((c) => sourceOf(c, "g")).join(", ")},
          'enriched', 1, '${new Date(now.getTime() - 365 * DAY).toISOString()}', '${new Date(now.getTime() - 365 * DAY).toISOString()}'
        from generate_series(0, 49) g`);
      for (const statement of tenantStatements(t, now)) {
        const t1 = performance.now();
        await sq.unsafe(statement);
        if (process.env.BENCH_VERBOSE) console.error(`${((performance.now() - t1) / 1000).toFixed(1)} s  ${statement.slice(0, 60).replace(/\s+/g, " ")}`);
      }
      tenants.push(t);
      lap(`load ${tag}`);
    }
    // two connections rebuild the indexes (btree builds also use parallel workers)
    const queue = [...indexes];
    const extra = postgres(url, { max: 1, onnotice: () => {} });
    await extra.unsafe(`set maintenance_work_mem = '512MB'`);
    await Promise.all(
      [sq, extra].map(async (c) => {
        for (let i = queue.shift(); i; i = queue.shift()) await c.unsafe(i.def);
      }),
    );
    await extra.end();
    lap(`${indexes.length} indexes`);
    await sq.unsafe(`vacuum (analyze) subscribers, conversations, messages, conversions, ads, whatsapp_numbers, tenants`);
    lap("vacuum analyze");
    const seconds = (performance.now() - started) / 1000;
    const [counts] = await sq<{ subscribers: number; conversations: number; messages: number; conversions: number; corr: number }[]>`
      select (select count(*)::int from subscribers) as subscribers, (select count(*)::int from conversations) as conversations,
        (select count(*)::int from messages) as messages, (select count(*)::int from conversions) as conversions,
        (select correlation from pg_stats where tablename = 'conversations' and attname = 'started_at') as corr`;
    return { tenant: tenants[0]!, seconds, phase, counts: counts!, indexCount: indexes.length };
  } finally {
    await sq.end();
  }
}

/** A sample of subscribers checked against their conversations: first/last touch, source, ad, campaign, click id, last inbound. */
async function checkConsistency(url: string, tenantId: string): Promise<{ checked: number; wrong: number }> {
  const sq = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sq<{ checked: number; wrong: number }[]>`
      select count(*)::int as checked, count(*) filter (where
        s.first_touch_conversation_id is distinct from f.id or s.last_touch_conversation_id is distinct from l.id
        or s.first_touch_source is distinct from coalesce(f.source_type, case when f.id is not null then 'unknown' end)
        or s.first_touch_ad_id is distinct from f.ad_id or s.first_touch_campaign_id is distinct from f.campaign_id
        or s.has_click_id <> coalesce(k.any_clid, false) or s.last_inbound_at is distinct from k.last_message)::int as wrong
      from subscribers s tablesample system (0.5)
      left join lateral (select id, source_type, ad_id, campaign_id from conversations c where c.subscriber_id = s.id and c.source_type is not null order by started_at, id limit 1) f on true
      left join lateral (select id from conversations c where c.subscriber_id = s.id and c.source_type is not null order by started_at desc, id desc limit 1) l on true
      left join lateral (select bool_or(ctwa_clid is not null) as any_clid, max(last_message_at) as last_message from conversations c where c.subscriber_id = s.id) k on true
      where s.tenant_id = ${tenantId}`;
    return row!;
  } finally {
    await sq.end();
  }
}

// ---------------------------------------------------------------------------------------------- plans
type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
};
type Statement = { sql: string; params: unknown[] };
type PlanCheck = { label: string; top: string; scans: string[]; problems: string[] };

function* walk(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* walk(child);
}

/** Runs `call` on a connection that records its SQL, then EXPLAIN ANALYZEs each statement with the same parameters. */
async function explainCall(
  trace: { db: Db; client: postgres.Sql; log: Statement[] },
  sizes: Record<string, number>,
  label: string,
  call: (db: Db) => Promise<unknown>,
) {
  trace.log.length = 0;
  await call(trace.db);
  const checks: PlanCheck[] = [];
  const statements = trace.log.splice(0);
  for (const [i, statement] of statements.entries()) {
    const [row] = await trace.client.unsafe(`explain (analyze, format json) ${statement.sql}`, statement.params as never[]);
    const root = (row as unknown as { "QUERY PLAN": { Plan: PlanNode }[] })["QUERY PLAN"][0]!.Plan;
    const problems: string[] = [];
    const scans: string[] = [];
    for (const node of walk(root)) {
      const table = node["Relation Name"];
      if (!table) continue;
      const read = Math.round(((node["Actual Rows"] ?? 0) + (node["Rows Removed by Filter"] ?? 0)) * (node["Actual Loops"] ?? 1));
      scans.push(`${node["Node Type"]}${node["Index Name"] ? ` ${node["Index Name"]}` : ""} on ${table} (${read.toLocaleString("en")} rows)`);
      const size = sizes[table];
      if (size === undefined) continue;
      if (node["Node Type"] === "Seq Scan") problems.push(`Seq Scan on ${table}`);
      else if (read >= size / 2) problems.push(`${node["Node Type"]} reads ${read.toLocaleString("en")} of ${size.toLocaleString("en")} ${table} rows`);
    }
    checks.push({ label: statements.length > 1 ? `${label} #${i + 1}` : label, top: root["Node Type"], scans, problems });
  }
  return checks;
}

// ---------------------------------------------------------------------------------------------- timing
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function sample(call: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARM_UP; i++) await call(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await call(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** p50/p95 of `call`; a p95 over the target is measured once more and the second result kept (the machine is shared). */
async function measure(target: number, call: (i: number) => Promise<unknown>) {
  const first = await sample(call);
  if (first.p95 <= target) return { ...first, repeated: false };
  return { ...(await sample(call)), repeated: true };
}

// ---------------------------------------------------------------------------------------------- export child
async function exportChild() {
  const env = process.env;
  const handle = await openDatabase({ url: env.BENCH_EXPORT_URL!, max: 2 });
  const baseRssMb = process.memoryUsage().rss / 1048576;
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  const rows = exportSubscribersCsv(handle.db, {
    tenantId: env.BENCH_EXPORT_TENANT!,
    filters: subscriberFiltersSchema.parse({}),
    now: new Date(env.BENCH_EXPORT_NOW!),
  });
  for await (const chunk of rows) {
    bytes += Buffer.byteLength(chunk);
    for (let i = chunk.indexOf("\r\n"); i !== -1; i = chunk.indexOf("\r\n", i + 2)) lines++;
  }
  const seconds = (performance.now() - started) / 1000;
  await handle.close();
  process.stdout.write(`${JSON.stringify({ rows: lines - 1, bytes, seconds, baseRssMb, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function runExportChild(
  url: string,
  tenantId: string,
  now: Date,
): Promise<{ rows: number; bytes: number; seconds: number; baseRssMb: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--export-child"], {
      env: { ...process.env, BENCH_EXPORT_URL: url, BENCH_EXPORT_TENANT: tenantId, BENCH_EXPORT_NOW: now.toISOString() },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`export child exited with ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------- main

type Outcome = { name: string; value: string; target: string; pass: boolean };

async function main() {
  const now = new Date();
  const database = await freshDatabase("ct_bench_subs");
  const handle = await openDatabase({ url: database.url, max: 8 });
  const traceClient = postgres(database.url, { max: 1, onnotice: () => {} });
  const outcomes: Outcome[] = [];
  const plans: PlanCheck[] = [];
  const outcome = (name: string, value: string, target: string, pass: boolean) => outcomes.push({ name, value, target, pass });
  try {
    await handle.migrate();
    const db = handle.db;
    const fmt = (n: number) => n.toLocaleString("en");

    // ------------------------------------------------------------------ 1. seed
    const seeded = await seed(db, database.url, now);
    const { tenant, counts } = seeded;
    log(
      `Seed: ${fmt(counts.subscribers)} subscribers, ${fmt(counts.conversations)} conversations, ${fmt(counts.messages)} messages, ${fmt(counts.conversions)} conversions (2 tenants)`,
    );
    log(
      `  ${seeded.seconds.toFixed(1)} s (target < ${TARGET.seedS} s): ${seeded.phase.join(", ")}; conversations.started_at correlation ${counts.corr.toFixed(3)}`,
    );
    outcome("seed", `${seeded.seconds.toFixed(1)} s`, `< ${TARGET.seedS} s`, seeded.seconds < TARGET.seedS);
    const consistency = await checkConsistency(database.url, tenant.tenantId);
    log(`  consistency: ${consistency.wrong} of ${fmt(consistency.checked)} sampled subscribers disagree with their conversations`);
    outcome("seed consistency", `${consistency.wrong} wrong`, "0", consistency.wrong === 0);

    const statements: Statement[] = [];
    const trace = {
      client: traceClient,
      log: statements,
      db: drizzle(traceClient, { schema, logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as Db,
    };
    const sizes = { subscribers: tenant.subscribers, conversations: tenant.conversations };
    const base = { tenantId: tenant.tenantId, limit: PAGE, now };

    // ------------------------------------------------------------------ 2. list filters
    const f = (raw: Record<string, string>) => subscriberFiltersSchema.parse(raw);
    const range = { from: isoDay(new Date(now.getTime() - 200 * DAY)), to: isoDay(new Date(now.getTime() - 171 * DAY)) };
    const cases: [string, SubscriberFilters, number][] = [
      ["none", f({}), TARGET.list],
      ["q phone +1 202", f({ q: "+1 202" }), TARGET.search],
      ["q phone +44 7700", f({ q: "+44 7700" }), TARGET.search],
      ["q name Priya", f({ q: "Priya" }), TARGET.search],
      ["q name Olga Ivanova", f({ q: "Olga Ivanova" }), TARGET.search],
      ["number (2nd)", f({ number: tenant.numbers[1]! }), TARGET.list],
      ["status=blocked", f({ status: "blocked" }), TARGET.list],
      ["lifecycle=customer", f({ lifecycle: "customer" }), TARGET.list],
      ["source=ad", f({ source: "ad" }), TARGET.list],
      ["source=organic", f({ source: "organic" }), TARGET.list],
      ["campaign (Black Friday)", f({ campaign: campaignId(3) }), TARGET.list],
      ["ad (#8)", f({ ad: adId(7) }), TARGET.list],
      ["clickId=yes", f({ clickId: "yes" }), TARGET.list],
      [`from/to ${range.from}…${range.to}`, f(range), TARGET.list],
      ["window=open", f({ window: "open" }), TARGET.list],
      ["sort=first_seen", f({ sort: "first_seen" }), TARGET.list],
      ["source=ad clickId=yes window=open", f({ source: "ad", clickId: "yes", window: "open" }), TARGET.list],
      ["campaign lifecycle=customer", f({ campaign: campaignId(0), lifecycle: "customer" }), TARGET.list],
      ["status=blocked sort=first_seen", f({ status: "blocked", sort: "first_seen" }), TARGET.list],
    ];
    log();
    log(`List: listSubscribers, ${PAGE} rows a page, p50 / p95 in ms over ${RUNS} runs after ${WARM_UP} warm-up (* = measured twice)`);
    log(
      `  ${"filter".padEnd(36)} ${"first p50".padStart(9)} ${"p95".padStart(7)}   ${"deep page".padEnd(10)} ${"p50".padStart(7)} ${"p95".padStart(7)}   target`,
    );
    for (const [name, filters, target] of cases) {
      const list = (d: Db, cursor?: string) => listSubscribers(d, { ...base, filters, cursor });
      let cursor: string | undefined;
      let page = 1;
      while (page <= DEEP_PAGES) {
        const next = (await list(db, cursor)).nextCursor;
        if (!next) break;
        cursor = next;
        page++;
      }
      const deepLabel = page > DEEP_PAGES ? `p${page}` : `p${page} last`;
      const first = await measure(target, () => list(db));
      const deep = await measure(target, () => list(db, cursor));
      const star = (r: { repeated: boolean }) => (r.repeated ? "*" : " ");
      log(
        `  ${name.padEnd(36)} ${ms(first.p50).padStart(9)} ${ms(first.p95)}${star(first)}  ${deepLabel.padEnd(10)} ${ms(deep.p50)} ${ms(deep.p95)}${star(deep)}  ≤ ${target}`,
      );
      outcome(`list ${name} · first`, `p95 ${first.p95.toFixed(1)} ms`, `≤ ${target} ms`, first.p95 <= target);
      outcome(`list ${name} · ${deepLabel}`, `p95 ${deep.p95.toFixed(1)} ms`, `≤ ${target} ms`, deep.p95 <= target);
      plans.push(...(await explainCall(trace, sizes, `${name} · first`, (d) => list(d))));
      plans.push(...(await explainCall(trace, sizes, `${name} · ${deepLabel}`, (d) => list(d, cursor))));
    }

    // ------------------------------------------------------------------ 3. detail, report
    const ids = (
      await traceClient.unsafe<{ id: string }[]>(
        `select ${subscriberId(tenant, `(1 + floor(random() * ${tenant.subscribers}))::int`)}::text as id from generate_series(1, ${RUNS + WARM_UP})`,
      )
    ).map((r) => r.id);
    const detail = await measure(TARGET.detail, (i) => loadSubscriberPage(db, { tenantId: tenant.tenantId, id: ids[(i + ids.length) % ids.length]! }));
    plans.push(...(await explainCall(trace, sizes, "detail", (d) => loadSubscriberPage(d, { tenantId: tenant.tenantId, id: ids[0]! }))));
    const to = isoDay(now);
    const from = isoDay(new Date(now.getTime() - 29 * DAY));
    const reportOf = (d: Db) => attributionReport(d, { tenantId: tenant.tenantId, from, to });
    const report = await measure(TARGET.report, () => reportOf(db));
    const shape = await reportOf(db);
    plans.push(...(await explainCall(trace, sizes, "report", reportOf)));
    log();
    log(
      `Detail: loadSubscriberPage, random subscribers   p50 ${ms(detail.p50)}  p95 ${ms(detail.p95)}${detail.repeated ? "*" : ""}  (target ≤ ${TARGET.detail} ms)`,
    );
    log(`Report: attributionReport ${from}…${to}   p50 ${ms(report.p50)}  p95 ${ms(report.p95)}${report.repeated ? "*" : ""}  (target ≤ ${TARGET.report} ms)`);
    log(
      `  ${fmt(shape.total.conversations)} ad conversations, ${fmt(shape.total.subscribers)} subscribers, ${fmt(shape.total.converted)} converted, ${shape.campaigns.length} campaigns`,
    );
    outcome("detail", `p95 ${detail.p95.toFixed(1)} ms`, `≤ ${TARGET.detail} ms`, detail.p95 <= TARGET.detail);
    outcome("report 30 days", `p95 ${report.p95.toFixed(1)} ms`, `≤ ${TARGET.report} ms`, report.p95 <= TARGET.report);

    // ------------------------------------------------------------------ 4. export (child process)
    const exported = await runExportChild(database.url, tenant.tenantId, now);
    log();
    log(`Export: exportSubscribersCsv, all rows, child process`);
    log(
      `  ${fmt(exported.rows)} rows, ${(exported.bytes / 1048576).toFixed(0)} MB in ${exported.seconds.toFixed(1)} s (${fmt(Math.round(exported.rows / exported.seconds))} rows/s), peak RSS ${exported.maxRssMb.toFixed(0)} MB (target < ${TARGET.exportRssMb} MB; ${exported.baseRssMb.toFixed(0)} MB before the first row)`,
    );
    outcome("export rows", fmt(exported.rows), fmt(tenant.subscribers), exported.rows === tenant.subscribers);
    outcome("export peak RSS", `${exported.maxRssMb.toFixed(0)} MB`, `< ${TARGET.exportRssMb} MB`, exported.maxRssMb < TARGET.exportRssMb);
    const exportQuery = async (d: Db) => {
      let chunks = 0;
      for await (const _chunk of exportSubscribersCsv(d, { tenantId: tenant.tenantId, filters: f({}), now })) if (++chunks > 2) break;
    };
    plans.push(...(await explainCall(trace, sizes, "export pages 1–2", exportQuery)));

    // ------------------------------------------------------------------ 5. plans
    log();
    log("Plans (EXPLAIN ANALYZE of each statement run): top node › scans (rows read)");
    for (const p of plans) {
      log(`  ${p.problems.length ? "FAIL" : "ok  "} ${p.label}: ${p.top} › ${p.scans.join(", ")}`);
      for (const problem of p.problems) log(`         ${problem}`);
    }
    const badPlans = plans.filter((p) => p.problems.length > 0);
    outcome(
      "plans",
      `${plans.length - badPlans.length} of ${plans.length} use indexes`,
      "no Seq Scan / full read of subscribers or conversations",
      badPlans.length === 0,
    );
  } finally {
    await traceClient.end();
    await handle.close();
    await database.drop();
  }

  log();
  log("Summary");
  for (const o of outcomes) log(`  ${o.pass ? "PASS" : "FAIL"}  ${o.name.padEnd(52)} ${o.value.padEnd(22)} target ${o.target}`);
  const failed = outcomes.filter((o) => !o.pass);
  log(failed.length ? `\n${failed.length} of ${outcomes.length} targets FAILED` : `\nAll ${outcomes.length} targets passed`);
  if (failed.length) process.exitCode = 1;
}

if (process.argv.includes("--export-child")) await exportChild();
else await main();
