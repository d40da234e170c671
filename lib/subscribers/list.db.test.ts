// The subscriber list query on both drivers: every filter selects a known subset of one fixed dataset, in
// list order, and walking the keyset cursor visits each matching row exactly once (timestamp ties, the
// step from dated to undated rows, limit 1), in either sort, without rows of another tenant.
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertNumber, insertTenant } from "@/db/queries";
import { listSubscriberPage, subscriberListWhere } from "@/db/queries/subscriber-list";
import { type NewConversation, type NewSubscriber, conversations, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { AppError } from "@/lib/errors";
import { listSubscribers, subscriberListJson, toListQuery } from "./list";
import { decodeListCursor, encodeListCursor, parseSubscriberSearch, subscriberFiltersSchema } from "./list-filters";

const now = new Date("2030-06-15T12:00:00.000Z");
const utc = (iso: string) => new Date(`${iso}Z`);
// fixed ids, deliberately not in list order (only tied rows need a known id order); uuid order = hex order
const uid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

/** First touches: the conversation a subscriber's first referral opened (source, ad, campaign as the list filters see them). */
const TOUCHES = {
  ad1: {
    sourceType: "ad",
    adId: "ad-1",
    adName: "Spring ad",
    campaignId: "camp-1",
    campaignName: "Spring 2030",
    clid: true,
    headline: "Spring sale",
    mediaType: "image",
    imageUrl: "https://cdn.example.com/spring.jpg",
  },
  ad2: {
    sourceType: "ad",
    adId: "ad-2",
    adName: "Summer ad",
    campaignId: "camp-1",
    campaignName: "Spring 2030",
    clid: false,
    headline: "Summer",
    mediaType: "video",
  },
  ad3: { sourceType: "ad", adId: "ad-3", adName: "Brazil ad", campaignId: "camp-2", campaignName: "Brasil", clid: true, headline: "Oferta" },
  ad4: { sourceType: "ad", adId: "ad-4", clid: true, headline: "Not enriched yet" }, // no campaign until enrichment
  post: { sourceType: "post", clid: false, headline: "Our post", utmCampaign: "june-post", thumbnailUrl: "https://cdn.example.com/post.jpg" },
  unknown: { sourceType: null, clid: false, headline: "Shared link" }, // a referral without a source type
  retarget: { sourceType: "ad", adId: "ad-9", campaignId: "camp-9", campaignName: "Retargeting", clid: true, headline: "Come back" },
} as const;
type TouchName = keyof typeof TOUCHES;
type Touch = {
  sourceType: string | null;
  adId?: string;
  adName?: string;
  campaignId?: string;
  campaignName?: string;
  clid: boolean;
  headline: string;
  mediaType?: string;
  imageUrl?: string;
  thumbnailUrl?: string;
  utmCampaign?: string;
};

type Spec = {
  key: string;
  id: number;
  tenant: "a" | "b";
  lastInboundAt: string | null;
  firstSeenAt: string;
  waPhone?: string;
  waId?: string; // defaults to the digits of waPhone
  userId?: string;
  profileName?: string;
  username?: string;
  number: "n1" | "n2" | "nb" | null;
  status?: NewSubscriber["status"];
  lifecycle?: NewSubscriber["lifecycleState"];
  touch?: TouchName;
  lastTouch?: TouchName; // a later referral: the current and last-touch conversation, never the first touch
  hasClickId?: boolean; // defaults to whether the first touch carries a click id
  expires?: string | null;
};

// Tenant A, listed in the default order (last inbound desc, ties by id desc, then the never-wrote rows by id desc).
// now = 2030-06-15T12:00:00.000Z
const SPECS: Spec[] = [
  {
    key: "s01",
    id: 0x3a,
    tenant: "a",
    lastInboundAt: "2030-06-15T11:00:00.000",
    firstSeenAt: "2030-06-01T00:00:00.000",
    waPhone: "+15550102345",
    profileName: "Ana Lima",
    number: "n1",
    touch: "ad1",
    expires: "2030-06-16T11:00:00.000",
  },
  {
    key: "s02",
    id: 0x71,
    tenant: "a",
    lastInboundAt: "2030-06-15T10:00:00.000",
    firstSeenAt: "2030-05-20T10:00:00.000",
    waPhone: "+79001234567",
    profileName: "Борис Петров",
    number: "n2",
    lifecycle: "prospect",
    expires: "2030-06-16T10:00:00.000",
  },
  {
    key: "s03",
    id: 0x1c,
    tenant: "a",
    lastInboundAt: "2030-06-14T09:00:00.000",
    firstSeenAt: "2030-06-10T23:59:59.999",
    waPhone: "+15550102999",
    profileName: "Mariana",
    number: "n1",
    status: "blocked",
    touch: "ad2",
    lastTouch: "retarget",
    hasClickId: true,
    expires: "2030-06-15T09:00:00.000",
  },
  {
    key: "s04",
    id: 0x88,
    tenant: "a",
    lastInboundAt: "2030-06-14T08:00:00.000",
    firstSeenAt: "2030-06-11T00:00:00.000",
    waPhone: "+15550103000",
    profileName: "Carlos",
    username: "ana_k",
    number: "n1",
    lifecycle: "customer",
    touch: "post",
    expires: "2030-06-15T12:00:00.000",
  },
  // s05, s06: same last inbound
  {
    key: "s05",
    id: 0x64,
    tenant: "a",
    lastInboundAt: "2030-06-13T12:00:00.000",
    firstSeenAt: "2030-05-31T23:59:59.999",
    waPhone: "+5511987654321",
    waId: "551187654321",
    profileName: "50% off Bob",
    number: "n2",
    status: "opted_out",
    touch: "ad3",
    expires: null,
  },
  {
    key: "s06",
    id: 0x5f,
    tenant: "a",
    lastInboundAt: "2030-06-13T12:00:00.000",
    firstSeenAt: "2030-06-05T12:00:00.000",
    waPhone: "+15550120000",
    profileName: "Room 501",
    number: "n1",
    expires: "2030-06-15T12:00:00.001",
  },
  // s07, s08, s09: same last inbound; s06, s07, s08: same first seen
  {
    key: "s07",
    id: 0x9b,
    tenant: "a",
    lastInboundAt: "2030-06-12T07:30:00.000",
    firstSeenAt: "2030-06-05T12:00:00.000",
    waPhone: "+447700900123",
    profileName: "Joeann",
    number: "n2",
    status: "inactive",
    lifecycle: "customer",
    touch: "unknown",
    expires: "2030-06-13T07:30:00.000",
  },
  {
    key: "s08",
    id: 0x52,
    tenant: "a",
    lastInboundAt: "2030-06-12T07:30:00.000",
    firstSeenAt: "2030-06-05T12:00:00.000",
    userId: "US.13491208655302741918",
    username: "jo_ann",
    number: "n1",
    touch: "ad1",
    expires: "2030-06-16T00:00:00.000",
  },
  {
    key: "s09",
    id: 0x4d,
    tenant: "a",
    lastInboundAt: "2030-06-12T07:30:00.000",
    firstSeenAt: "2030-04-01T08:00:00.000",
    waPhone: "+15550102001",
    profileName: "Dana",
    username: "back\\slash",
    number: "n1",
    lifecycle: "repeat_customer",
    touch: "ad4",
    expires: null,
  },
  {
    key: "s10",
    id: 0x05,
    tenant: "a",
    lastInboundAt: "2030-06-11T15:00:00.000",
    firstSeenAt: "2030-06-09T15:00:00.000",
    waPhone: "+4915112345678",
    profileName: "Anastasia",
    number: "n2",
    touch: "post",
    expires: "2030-06-12T15:00:00.000",
  },
  {
    key: "s11",
    id: 0xa4,
    tenant: "a",
    lastInboundAt: "2030-06-10T20:00:00.000",
    firstSeenAt: "2030-06-02T09:00:00.000",
    waPhone: "+33612345678",
    profileName: "Zoë",
    username: "ksx",
    number: "n1",
    lifecycle: "prospect",
    touch: "ad2",
    expires: "2030-06-11T20:00:00.000",
  },
  {
    key: "s12",
    id: 0x13,
    tenant: "a",
    lastInboundAt: "2030-06-09T06:00:00.000",
    firstSeenAt: "2030-06-03T06:00:00.000",
    waPhone: "+34612345678",
    profileName: "Hans",
    number: null,
    expires: null,
  },
  {
    key: "s13",
    id: 0x77,
    tenant: "a",
    lastInboundAt: "2030-06-08T06:00:00.000",
    firstSeenAt: "2030-06-08T05:00:00.000",
    waPhone: "+15550102777",
    profileName: "Lucía",
    number: "n2",
    status: "blocked",
    touch: "ad1",
    expires: "2030-06-09T06:00:00.000",
  },
  {
    key: "s14",
    id: 0x40,
    tenant: "a",
    lastInboundAt: "2030-06-07T06:00:00.000",
    firstSeenAt: "2030-06-07T06:00:00.000",
    waPhone: "+61412345678",
    profileName: "Kim",
    number: "n1",
    lifecycle: "customer",
    expires: "2030-06-08T06:00:00.000",
  },
  // s15, s16: one millisecond apart (s16 has the larger id: second precision would swap them)
  {
    key: "s15",
    id: 0x08,
    tenant: "a",
    lastInboundAt: "2030-06-06T06:00:00.001",
    firstSeenAt: "2030-06-06T06:00:00.001",
    waPhone: "+81901234567",
    profileName: "Yuki",
    number: "n2",
    expires: "2030-06-07T06:00:00.001",
  },
  {
    key: "s16",
    id: 0xb7,
    tenant: "a",
    lastInboundAt: "2030-06-06T06:00:00.000",
    firstSeenAt: "2030-06-06T06:00:00.000",
    waPhone: "+82101234567",
    profileName: "Min",
    number: "n2",
    touch: "post",
    expires: "2030-06-07T06:00:00.000",
  },
  // never wrote (Gupshup opt-ins): by id desc, whatever their first seen
  {
    key: "u1",
    id: 0xc0,
    tenant: "a",
    lastInboundAt: null,
    firstSeenAt: "2030-05-01T00:00:00.000",
    waPhone: "+15550102500",
    profileName: "Paula",
    number: "n2",
  },
  {
    key: "u2",
    id: 0x90,
    tenant: "a",
    lastInboundAt: null,
    firstSeenAt: "2030-06-14T00:00:00.000",
    waPhone: "+79005550000",
    profileName: "Анна",
    number: "n1",
    status: "opted_out",
  },
  {
    key: "u3",
    id: 0x31,
    tenant: "a",
    lastInboundAt: null,
    firstSeenAt: "2030-05-10T00:00:00.000",
    waPhone: "+15559990000",
    profileName: "Ana Beatriz",
    number: "n1",
  },
  {
    key: "u4",
    id: 0x0a,
    tenant: "a",
    lastInboundAt: null,
    firstSeenAt: "2030-06-12T00:00:00.000",
    waPhone: "+4930123456",
    profileName: "Otto",
    number: "n1",
    lifecycle: "prospect",
  },
  // tenant B: decoys that match tenant A's filters (same phone, user id, names, ad, campaign) and sit between A's rows
  {
    key: "b1",
    id: 0xf1,
    tenant: "b",
    lastInboundAt: "2030-06-15T11:30:00.000",
    firstSeenAt: "2030-06-05T12:00:00.000",
    waPhone: "+15550102345",
    profileName: "Ana Other",
    number: "nb",
    touch: "ad1",
    expires: "2030-06-16T11:30:00.000",
  },
  {
    key: "b2",
    id: 0x60,
    tenant: "b",
    lastInboundAt: "2030-06-12T07:30:00.000",
    firstSeenAt: "2030-06-01T00:00:00.000",
    waPhone: "+5511900000000",
    userId: "US.13491208655302741918",
    profileName: "50% tenant B",
    number: "nb",
    lifecycle: "prospect",
    touch: "post",
  },
  {
    key: "b3",
    id: 0xfe,
    tenant: "b",
    lastInboundAt: null,
    firstSeenAt: "2030-05-15T00:00:00.000",
    waPhone: "+15550102600",
    profileName: "Ana B",
    number: "nb",
    status: "opted_out",
  },
];
const spec = (key: string) => SPECS.find((s) => s.key === key)!;
const keyById = new Map(SPECS.map((s) => [uid(s.id), s.key]));

const ALL = ["s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "u1", "u2", "u3", "u4"];
// first seen desc, ties (s07, s06, s08 at 06-05 12:00) by id desc
const FIRST_SEEN = ["u2", "u4", "s04", "s03", "s10", "s13", "s14", "s15", "s16", "s07", "s06", "s08", "s12", "s11", "s01", "s05", "s02", "u3", "u1", "s09"];

type Filters = Record<string, string>;
type Case = { name: string; filters: Filters; expected: string[] };

const CASES: Case[] = [
  { name: "no filter", filters: {}, expected: ALL },
  // search: phone / wa id digit prefix
  { name: "q phone +1 (555) 010-2", filters: { q: "+1 (555) 010-2" }, expected: ["s01", "s03", "s09", "s13", "u1"] },
  { name: "q phone 1555 0102", filters: { q: "1555 0102" }, expected: ["s01", "s03", "s09", "s13", "u1"] },
  { name: "q phone with 3 digits (155)", filters: { q: "155" }, expected: ["s01", "s03", "s04", "s06", "s09", "s13", "u1", "u3"] },
  { name: "q phone is a prefix, not a substring (0102)", filters: { q: "0102" }, expected: [] },
  { name: "q phone +7 900", filters: { q: "+7 900" }, expected: ["s02", "u2"] },
  { name: "q phone matches the wa id when it differs from the phone (55 11 8765)", filters: { q: "55 11 8765" }, expected: ["s05"] },
  // search: name / username substring, case-insensitive, wildcards literal
  { name: "q name ana (profile name or username)", filters: { q: "ana" }, expected: ["s01", "s03", "s04", "s09", "s10", "u3"] },
  { name: "q name ANA (case-insensitive)", filters: { q: "ANA" }, expected: ["s01", "s03", "s04", "s09", "s10", "u3"] },
  { name: "q name 50% (percent is literal)", filters: { q: "50%" }, expected: ["s05"] },
  { name: "q name %%% (matches nothing)", filters: { q: "%%%" }, expected: [] },
  { name: "q name o_a (underscore is literal)", filters: { q: "o_a" }, expected: ["s08"] },
  { name: "q name k\\s (backslash is literal)", filters: { q: "k\\s" }, expected: ["s09"] },
  { name: "q name across two words (рис Пет)", filters: { q: "рис Пет" }, expected: ["s02"] },
  { name: "q name in Cyrillic, never wrote (Анна)", filters: { q: "Анна" }, expected: ["u2"] },
  // exact identity
  { name: "waPhone in any format", filters: { waPhone: "+1 555 010 2345" }, expected: ["s01"] },
  { name: "userId", filters: { userId: "US.13491208655302741918" }, expected: ["s08"] },
  // number (filled in once the numbers exist)
  { name: "number n1", filters: { number: "n1" }, expected: ["s01", "s03", "s04", "s06", "s08", "s09", "s11", "s14", "u2", "u3", "u4"] },
  { name: "number n2", filters: { number: "n2" }, expected: ["s02", "s05", "s07", "s10", "s13", "s15", "s16", "u1"] },
  { name: "number of another tenant", filters: { number: "nb" }, expected: [] },
  // status, lifecycle
  {
    name: "status active",
    filters: { status: "active" },
    expected: ["s01", "s02", "s04", "s06", "s08", "s09", "s10", "s11", "s12", "s14", "s15", "s16", "u1", "u3", "u4"],
  },
  { name: "status blocked", filters: { status: "blocked" }, expected: ["s03", "s13"] },
  { name: "status opted_out", filters: { status: "opted_out" }, expected: ["s05", "u2"] },
  { name: "status inactive", filters: { status: "inactive" }, expected: ["s07"] },
  {
    name: "lifecycle lead",
    filters: { lifecycle: "lead" },
    expected: ["s01", "s03", "s05", "s06", "s08", "s10", "s12", "s13", "s15", "s16", "u1", "u2", "u3"],
  },
  { name: "lifecycle prospect", filters: { lifecycle: "prospect" }, expected: ["s02", "s11", "u4"] },
  { name: "lifecycle customer", filters: { lifecycle: "customer" }, expected: ["s04", "s07", "s14"] },
  { name: "lifecycle repeat_customer", filters: { lifecycle: "repeat_customer" }, expected: ["s09"] },
  // first touch
  { name: "source ad", filters: { source: "ad" }, expected: ["s01", "s03", "s05", "s08", "s09", "s11", "s13"] },
  { name: "source post", filters: { source: "post" }, expected: ["s04", "s10", "s16"] },
  {
    name: "source organic (no first touch; an unknown-source touch is not organic)",
    filters: { source: "organic" },
    expected: ["s02", "s06", "s12", "s14", "s15", "u1", "u2", "u3", "u4"],
  },
  { name: "campaign camp-1", filters: { campaign: "camp-1" }, expected: ["s01", "s03", "s08", "s11", "s13"] },
  { name: "campaign camp-2", filters: { campaign: "camp-2" }, expected: ["s05"] },
  { name: "campaign of a later touch only", filters: { campaign: "camp-9" }, expected: [] },
  { name: "ad ad-1", filters: { ad: "ad-1" }, expected: ["s01", "s08", "s13"] },
  { name: "ad ad-2", filters: { ad: "ad-2" }, expected: ["s03", "s11"] },
  { name: "clickId yes", filters: { clickId: "yes" }, expected: ["s01", "s03", "s05", "s08", "s09", "s13"] },
  { name: "clickId no", filters: { clickId: "no" }, expected: ["s02", "s04", "s06", "s07", "s10", "s11", "s12", "s14", "s15", "s16", "u1", "u2", "u3", "u4"] },
  // first seen, whole UTC days, `to` inclusive
  {
    name: "from 06-01 to 06-10",
    filters: { from: "2030-06-01", to: "2030-06-10" },
    expected: ["s01", "s03", "s06", "s07", "s08", "s10", "s11", "s12", "s13", "s14", "s15", "s16"],
  },
  { name: "from 06-11", filters: { from: "2030-06-11" }, expected: ["s04", "u2", "u4"] },
  { name: "to 05-31", filters: { to: "2030-05-31" }, expected: ["s02", "s05", "s09", "u1", "u3"] },
  { name: "from = to = 06-05", filters: { from: "2030-06-05", to: "2030-06-05" }, expected: ["s06", "s07", "s08"] },
  // the 24 h window against now (expiring exactly now is closed; 1 ms later is open)
  { name: "window open", filters: { window: "open" }, expected: ["s01", "s02", "s06", "s08"] },
  {
    name: "window closed",
    filters: { window: "closed" },
    expected: ["s03", "s04", "s05", "s07", "s09", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "u1", "u2", "u3", "u4"],
  },
  // combined (each filter removes something)
  { name: "source ad + number n1 + window closed + clickId no", filters: { source: "ad", number: "n1", window: "closed", clickId: "no" }, expected: ["s11"] },
  { name: "q ana + lifecycle lead + status active", filters: { q: "ana", lifecycle: "lead", status: "active" }, expected: ["s01", "s10", "u3"] },
];

const LIMITS = [1, 2, 3, 4, 5, 7, 16, 17, 19, 20, 21, 100];

describe.each(testDrivers)("subscriber list query (%s)", (kind) => {
  let t: TestDb;
  const tenants = { a: "", b: "" };
  const numbers: Record<string, string> = {};

  const filtersOf = (raw: Filters) => subscriberFiltersSchema.parse(raw.number ? { ...raw, number: numbers[raw.number] } : raw);
  const keys = (rows: { subscriber: { id: string } }[]) => rows.map((r) => keyById.get(r.subscriber.id) ?? r.subscriber.id);
  const list = (raw: Filters, opts: { cursor?: string; limit?: number; tenant?: "a" | "b" } = {}) =>
    listSubscribers(t.db, { tenantId: tenants[opts.tenant ?? "a"], filters: filtersOf(raw), cursor: opts.cursor, limit: opts.limit ?? 100, now });

  /** Follows nextCursor to the end; every page but the last is full, and no page is empty unless nothing matches. */
  async function walk(raw: Filters, limit: number) {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await list(raw, { cursor, limit });
      seen.push(...keys(page.rows));
      sizes.push(page.rows.length);
      expect(page.rows.length).toBeLessThanOrEqual(limit);
      if (!page.nextCursor) break;
      expect(page.rows).toHaveLength(limit);
      cursor = page.nextCursor;
    }
    if (seen.length > 0) expect(sizes.at(-1)).toBeGreaterThan(0);
    expect(sizes).toHaveLength(Math.max(1, Math.ceil(seen.length / limit)));
    return seen;
  }

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenants.a = (await insertTenant(t.db, { name: "List A" })).id;
    tenants.b = (await insertTenant(t.db, { name: "List B" })).id;
    const number = async (key: string, tenant: "a" | "b", phoneE164: string) => {
      numbers[key] = (await insertNumber(t.db, { tenantId: tenants[tenant], label: key, phoneE164, provider: "cloud", verifyToken: `verify-${key}` })).id;
    };
    await number("n1", "a", "+15550001001");
    await number("n2", "a", "+15550001002");
    await number("nb", "b", "+15550001003");

    const subscriberRows: NewSubscriber[] = [];
    const conversationRows: NewConversation[] = [];
    for (const s of SPECS) {
      const id = uid(s.id);
      const tenantId = tenants[s.tenant];
      const numberId = s.number ? numbers[s.number]! : null;
      const touchRow = (name: TouchName, n: number, startedAt: Date): NewConversation => {
        const touch: Touch = TOUCHES[name];
        return {
          id: uid(0x1000 + s.id * 2 + n),
          tenantId,
          subscriberId: id,
          numberId,
          startedAt,
          lastMessageAt: startedAt,
          windowExpiresAt: new Date(startedAt.getTime() + 24 * 3600_000),
          sourceType: touch.sourceType,
          sourceUrl: "https://fb.me/x",
          headline: touch.headline,
          adId: touch.adId ?? null,
          adName: touch.adName ?? null,
          campaignId: touch.campaignId ?? null,
          campaignName: touch.campaignName ?? null,
          ctwaClid: touch.clid ? `clid-${s.key}-${name}` : null,
          mediaType: touch.mediaType ?? null,
          imageUrl: touch.imageUrl ?? null,
          thumbnailUrl: touch.thumbnailUrl ?? null,
          utmCampaign: touch.utmCampaign ?? null,
        };
      };
      const first = s.touch ? touchRow(s.touch, 0, utc(s.firstSeenAt)) : null;
      const last = s.lastTouch ? touchRow(s.lastTouch, 1, utc(s.lastInboundAt!)) : null;
      if (first) conversationRows.push(first);
      if (last) conversationRows.push(last);
      const touch: Touch | null = s.touch ? TOUCHES[s.touch] : null;
      subscriberRows.push({
        id,
        tenantId,
        numberId,
        waPhone: s.waPhone ?? null,
        waId: s.waId ?? (s.waPhone ? s.waPhone.slice(1) : null),
        userId: s.userId ?? null,
        username: s.username ?? null,
        profileName: s.profileName ?? null,
        firstSeenAt: utc(s.firstSeenAt),
        lastInboundAt: s.lastInboundAt ? utc(s.lastInboundAt) : null,
        inboundCount: s.lastInboundAt ? 1 : 0,
        conversationId: (last ?? first)?.id ?? null,
        conversationExpiresAt: s.expires ? utc(s.expires) : null,
        status: s.status ?? "active",
        lifecycleState: s.lifecycle ?? "lead",
        firstTouchConversationId: first?.id ?? null,
        lastTouchConversationId: (last ?? first)?.id ?? null,
        firstTouchSource: touch ? (touch.sourceType ?? "unknown") : null,
        firstTouchAdId: touch?.adId ?? null,
        firstTouchCampaignId: touch?.campaignId ?? null,
        hasClickId: s.hasClickId ?? touch?.clid ?? false,
      });
    }
    // reversed, so that the heap order of tied rows is the opposite of the expected id order
    await t.db.insert(subscribers).values(subscriberRows.reverse());
    await t.db.insert(conversations).values(conversationRows);
  });
  afterAll(() => t.cleanup());

  describe("each filter selects exactly its rows, in list order", () => {
    it.each(CASES)("$name", async ({ filters, expected }) => {
      const page = await list(filters);
      expect(keys(page.rows)).toEqual(expected);
      expect(page.nextCursor).toBeNull();
      // the same set by first seen (restricting the hand-written first-seen order keeps it in order)
      const byFirstSeen = await list({ ...filters, sort: "first_seen" });
      expect(keys(byFirstSeen.rows)).toEqual(FIRST_SEEN.filter((k) => expected.includes(k)));
      // the bare WHERE (the export's) selects the same rows
      const where = subscriberListWhere(toListQuery(tenants.a, filtersOf(filters), now));
      const ids = await t.db.select({ id: subscribers.id }).from(subscribers).where(where);
      expect(keys(ids.map((r) => ({ subscriber: r }))).sort()).toEqual([...expected].sort());
    });
  });

  describe("every filter walked with the cursor visits the same rows once, in order", () => {
    it.each(CASES)("$name", async ({ filters, expected }) => {
      for (const limit of [1, 2, 3]) {
        expect(await walk(filters, limit)).toEqual(expected);
        expect(await walk({ ...filters, sort: "first_seen" }, limit)).toEqual(FIRST_SEEN.filter((k) => expected.includes(k)));
      }
    });
  });

  it.each(LIMITS)("walks all rows by last inbound, then the never-wrote ones, with limit %i", async (limit) => {
    expect(await walk({}, limit)).toEqual(ALL);
  });

  it.each(LIMITS)("walks all rows by first seen with limit %i", async (limit) => {
    expect(await walk({ sort: "first_seen" }, limit)).toEqual(FIRST_SEEN);
  });

  // A name search walks the list in index order for at most `nameWalkRows` rows, then reads the rest of its matches
  // (after the walk's last row, and the undated rows after the dated ones) through the trigram indexes: with a walk
  // of 1, 2, 3 … rows every page crosses from the walk to that read at another row, and the pages are the same.
  const nameCases = CASES.filter((c) => parseSubscriberSearch(c.filters.q)?.kind === "name");
  it.each(nameCases)("a name search pages the same rows however far it walks the list: $name", async ({ filters, expected }) => {
    const pages = async (raw: Filters, limit: number, nameWalkRows: number) => {
      const query = toListQuery(tenants.a, filtersOf(raw), now);
      const seen: string[] = [];
      let cursor: { at: Date | null; id: string } | undefined;
      for (let i = 0; i < 100; i++) {
        const rows = await listSubscriberPage(t.db, { ...query, cursor, limit, nameWalkRows });
        seen.push(...keys(rows.slice(0, limit)));
        if (rows.length <= limit) break;
        const last = rows[limit - 1]!.subscriber;
        cursor = { at: raw.sort === "first_seen" ? last.firstSeenAt : last.lastInboundAt, id: last.id };
      }
      return seen;
    };
    const got: Record<string, string[]> = {};
    const want: Record<string, string[]> = {};
    for (const nameWalkRows of [1, 2, 3, 5, 50]) {
      for (const limit of [1, 2, 100]) {
        got[`walk ${nameWalkRows}, limit ${limit}`] = await pages(filters, limit, nameWalkRows);
        want[`walk ${nameWalkRows}, limit ${limit}`] = expected;
        got[`walk ${nameWalkRows}, limit ${limit}, first seen`] = await pages({ ...filters, sort: "first_seen" }, limit, nameWalkRows);
        want[`walk ${nameWalkRows}, limit ${limit}, first seen`] = FIRST_SEEN.filter((k) => expected.includes(k));
      }
    }
    expect(got).toEqual(want);
  });

  it("puts the cursor on the last row of the page: inside a tie, on the last dated row, on an undated row", async () => {
    const inTie = await list({}, { limit: 7 });
    expect(keys(inTie.rows).at(-1)).toBe("s07");
    expect(decodeListCursor(inTie.nextCursor!)).toEqual({ at: utc(spec("s07").lastInboundAt!), id: uid(spec("s07").id) });
    expect(keys((await list({}, { limit: 3, cursor: inTie.nextCursor! })).rows)).toEqual(["s08", "s09", "s10"]);

    const lastDated = await list({}, { limit: 16 });
    expect(keys(lastDated.rows).at(-1)).toBe("s16");
    expect(decodeListCursor(lastDated.nextCursor!)).toEqual({ at: utc(spec("s16").lastInboundAt!), id: uid(spec("s16").id) });
    const rest = await list({}, { limit: 16, cursor: lastDated.nextCursor! });
    expect(keys(rest.rows)).toEqual(["u1", "u2", "u3", "u4"]);
    expect(rest.nextCursor).toBeNull();

    const undated = await list({}, { limit: 17 });
    expect(keys(undated.rows).at(-1)).toBe("u1");
    expect(decodeListCursor(undated.nextCursor!)).toEqual({ at: null, id: uid(spec("u1").id) });
    expect(keys((await list({}, { limit: 2, cursor: undated.nextCursor! })).rows)).toEqual(["u2", "u3"]);

    const firstSeen = await list({ sort: "first_seen" }, { limit: 10 });
    expect(keys(firstSeen.rows).at(-1)).toBe("s07");
    expect(decodeListCursor(firstSeen.nextCursor!)).toEqual({ at: utc(spec("s07").firstSeenAt), id: uid(spec("s07").id) });
    expect(keys((await list({ sort: "first_seen" }, { limit: 2, cursor: firstSeen.nextCursor! })).rows)).toEqual(["s06", "s08"]);

    // exactly `limit` rows match: one page, no cursor to an empty page
    const exact = await list({}, { limit: 20 });
    expect(exact.rows).toHaveLength(20);
    expect(exact.nextCursor).toBeNull();
  });

  it("continues from any (time, id) position, including ones between rows and 1 ms apart", async () => {
    const after = async (at: string | null, id: number, sort: "last_inbound" | "first_seen" = "last_inbound") =>
      keys((await list({ sort }, { limit: 3, cursor: encodeListCursor({ at: at ? utc(at) : null, id: uid(id) }) })).rows);
    expect(await after(spec("s05").lastInboundAt, spec("s05").id)).toEqual(["s06", "s07", "s08"]);
    expect(await after("2030-06-13T12:00:00.000", 0x60)).toEqual(["s06", "s07", "s08"]); // between s05 (0x64) and s06 (0x5f)
    expect(await after("2030-06-13T12:00:00.000", 0xff)).toEqual(["s05", "s06", "s07"]);
    expect(await after(spec("s15").lastInboundAt, spec("s15").id)).toEqual(["s16", "u1", "u2"]);
    expect(await after("2030-06-06T06:00:00.001", 0xff)).toEqual(["s15", "s16", "u1"]);
    expect(await after("2030-01-01T00:00:00.000", 0xff)).toEqual(["u1", "u2", "u3"]); // before every dated row
    expect(await after(null, 0x90)).toEqual(["u3", "u4"]);
    expect(await after(null, 0x50)).toEqual(["u3", "u4"]); // between u2 (0x90) and u3 (0x31)
    expect(await after(null, 0x0a)).toEqual([]);
    expect(await after("2030-06-05T12:00:00.000", 0x9b, "first_seen")).toEqual(["s06", "s08", "s12"]);
    expect(await after("2030-06-06T06:00:00.000", 0xb7, "first_seen")).toEqual(["s07", "s06", "s08"]);
  });

  it("rejects a cursor that is not one of ours with invalid_cursor", async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const cursor of ["not-a-cursor", b64({ t: 1, id: "not-a-uuid" }), b64({ t: 1.5, id: uid(1) }), b64({ id: uid(1) }), b64([]), b64("x"), "%%%"]) {
      const error = await list({}, { cursor }).catch((e: unknown) => e);
      expect(error, cursor).toBeInstanceOf(AppError);
      expect(error, cursor).toMatchObject({ code: "unprocessable", reason: "invalid_cursor" });
    }
  });

  it("rejects a name search shorter than 3 characters with unprocessable", async () => {
    for (const q of ["ab", "12", " a ", "+1"]) {
      const error = await list({ q }).catch((e: unknown) => e);
      expect(error, q).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("unprocessable");
    }
    expect(keys((await list({ q: "Kim" })).rows)).toEqual(["s14"]); // 3 characters are enough
  });

  it("reads whole UTC days, `to` inclusive, and rejects a start after the end", () => {
    const q = toListQuery(tenants.a, filtersOf({ from: "2030-06-01", to: "2030-06-10", clickId: "no" }), now);
    expect(q.firstSeenFrom).toEqual(utc("2030-06-01T00:00:00.000"));
    expect(q.firstSeenBefore).toEqual(utc("2030-06-11T00:00:00.000"));
    expect(q.hasClickId).toBe(false);
    expect(toListQuery(tenants.a, filtersOf({}), now)).toMatchObject({
      hasClickId: undefined,
      firstSeenFrom: undefined,
      firstSeenBefore: undefined,
      sort: "last_inbound",
    });
    expect(subscriberFiltersSchema.safeParse({ from: "2030-06-11", to: "2030-06-10" }).success).toBe(false);
    // days that do not exist are refused rather than rolled over (2030-02-31 would otherwise mean 2030-03-03)
    for (const to of ["2030-02-31", "2030-02-29", "2030-04-31", "2030-13-01", "2030-00-10"])
      expect(subscriberFiltersSchema.safeParse({ to }).success, to).toBe(false);
    for (const to of ["2028-02-29", "2030-12-31", "1970-01-01"]) expect(subscriberFiltersSchema.safeParse({ to }).success, to).toBe(true);
  });

  it("joins in the first touch (not a later one), null without one", async () => {
    const rows = new Map((await list({})).rows.map((r) => [keyById.get(r.subscriber.id)!, r]));
    expect(rows.get("s01")!.firstTouch).toEqual({
      id: rows.get("s01")!.subscriber.firstTouchConversationId,
      sourceType: "ad",
      headline: "Spring sale",
      adId: "ad-1",
      adName: "Spring ad",
      campaignName: "Spring 2030",
      ctwaClid: "clid-s01-ad1",
      utmCampaign: null,
      mediaType: "image",
      thumbnailUrl: null,
      imageUrl: "https://cdn.example.com/spring.jpg",
    });
    // s03's current and last-touch conversation is the retargeting ad: the summary stays on the first touch
    expect(rows.get("s03")!.firstTouch).toEqual({
      id: rows.get("s03")!.subscriber.firstTouchConversationId,
      sourceType: "ad",
      headline: "Summer",
      adId: "ad-2",
      adName: "Summer ad",
      campaignName: "Spring 2030",
      ctwaClid: null,
      utmCampaign: null,
      mediaType: "video",
      thumbnailUrl: null,
      imageUrl: null,
    });
    expect(rows.get("s04")!.firstTouch).toEqual({
      id: rows.get("s04")!.subscriber.firstTouchConversationId,
      sourceType: "post",
      headline: "Our post",
      adId: null,
      adName: null,
      campaignName: null,
      ctwaClid: null,
      utmCampaign: "june-post",
      mediaType: null,
      thumbnailUrl: "https://cdn.example.com/post.jpg",
      imageUrl: null,
    });
    for (const k of ["s02", "s06", "s12", "u1"]) expect(rows.get(k)!.firstTouch, k).toBeNull();

    const json = subscriberListJson(rows.get("s01")!);
    expect(json).toMatchObject({
      id: uid(spec("s01").id),
      tenantId: tenants.a,
      waPhone: "+15550102345",
      waId: "15550102345",
      profileName: "Ana Lima",
      numberId: numbers.n1,
      firstSeenAt: utc(spec("s01").firstSeenAt).getTime(),
      lastInboundAt: utc(spec("s01").lastInboundAt!).getTime(),
      firstTouchConversationId: rows.get("s01")!.subscriber.firstTouchConversationId,
      firstTouch: { headline: "Spring sale", campaignName: "Spring 2030" },
    });
    expect(subscriberListJson(rows.get("u1")!)).toMatchObject({ lastInboundAt: null, firstTouch: null });
  });

  // drizzle decides that a left-joined nested object is null from its first column only: the summary must not
  // vanish when the referral has no source type (firstTouchSource "unknown")
  it("joins in a first touch that has no source type", async () => {
    const row = (await list({ status: "inactive" })).rows[0]!;
    expect(keyById.get(row.subscriber.id)).toBe("s07");
    expect(row.firstTouch).toMatchObject({ sourceType: null, headline: "Shared link" });
  });

  it("never shows another tenant's rows, and shows that tenant only its own", async () => {
    const mine = await list({});
    expect(mine.rows.every((r) => r.subscriber.tenantId === tenants.a)).toBe(true);
    expect(keys((await list({}, { tenant: "b" })).rows)).toEqual(["b1", "b2", "b3"]);
    expect(keys((await list({ q: "ana" }, { tenant: "b" })).rows)).toEqual(["b1", "b3"]);
    expect(keys((await list({ number: "nb" }, { tenant: "b" })).rows)).toEqual(["b1", "b2", "b3"]);
    expect(keys((await list({ userId: "US.13491208655302741918" }, { tenant: "b" })).rows)).toEqual(["b2"]);
    // a cursor taken from tenant A's list does not bring A's rows into B's
    const cursor = (await list({}, { limit: 1 })).nextCursor!;
    expect(keys((await list({}, { tenant: "b", cursor })).rows)).toEqual(["b2", "b3"]);
    // sanity: the decoys really are in the table
    const all = await t.db
      .select({ id: subscribers.id })
      .from(subscribers)
      .where(inArray(subscribers.tenantId, [tenants.a, tenants.b]));
    expect(all).toHaveLength(SPECS.length);
  });
});
