// npm run simulate -- --url http://localhost:3000 --count 200 [--api-key ck_…]
// Posts realistic, correctly signed Meta webhooks to a running console so you can watch the data
// flow without Meta: organic chats, Click-to-WhatsApp ad referrals (with click ids and UTM tags),
// media, reactions, an opt-out and an opt-in. They arrive on a "Simulator" number of your workspace
// (created inactive on first run, so nothing is ever sent from it), signed with its app secret.
// Credentials, first found: --api-key, CLICKTRAIL_API_KEY, BOOTSTRAP_API_KEY, CRON_SECRET, or the
// embedded console's generated secrets file (.data/secrets.json, beside PGLITE_DIR): so on a fresh
// install started with `npm run dev`/`npm start` in this folder, the command needs no flags at all.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { randomBytes, randomInt } from "node:crypto";
import { fakeWamid, inboundMessage, type PayloadNumber, type PayloadReferral } from "../lib/whatsapp/payloads";
import { signMetaBody } from "../lib/whatsapp/signature";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    count: { type: "string", default: "200" },
    "api-key": { type: "string" },
    concurrency: { type: "string", default: "8" },
  },
});
const base = values.url!.replace(/\/+$/, "");
const count = Math.max(1, Number(values.count));

function fail(message: string): never {
  console.error(`simulate: ${message}`);
  process.exit(1);
}

/** The embedded console keeps its generated CRON_SECRET beside the PGlite directory. */
function embeddedCronSecret(): string | undefined {
  const file = path.join(path.dirname(path.resolve(process.env.PGLITE_DIR ?? ".data/pglite")), "secrets.json");
  try {
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { CRON_SECRET?: string }).CRON_SECRET;
  } catch {
    return undefined;
  }
}

const credential = values["api-key"] ?? process.env.CLICKTRAIL_API_KEY ?? process.env.BOOTSTRAP_API_KEY ?? process.env.CRON_SECRET ?? embeddedCronSecret();
if (!credential) {
  fail(
    "found no credentials for the console.\n" +
      "  Create an API key in the console (Settings → API keys), then run:\n" +
      `  npm run simulate -- --url ${base} --count ${count} --api-key ck_…\n` +
      "  (or set CLICKTRAIL_API_KEY, or CRON_SECRET to the server's value)",
  );
}

type Prepared = { number: { phoneNumberId: string; wabaId: string; phoneE164: string }; appSecret: string; created: boolean };

/** The workspace's Simulator number with a fresh app secret, prepared by the console. */
async function simulatorNumber(): Promise<{ number: PayloadNumber; appSecret: string }> {
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/simulator`, { method: "POST", headers: { authorization: `Bearer ${credential}` } });
  } catch (e) {
    fail(`cannot reach ${base} (${(e as Error).message}). Is the console running?`);
  }
  const body = (await res.json().catch(() => null)) as (Prepared & { error?: { message?: string } }) | null;
  if (!res.ok || !body) {
    const hint = res.status === 401 ? " (pass --api-key with an API key of your workspace)" : "";
    fail(`the console answered ${res.status}: ${body?.error?.message ?? "no details"}${hint}`);
  }
  if (body.created) console.log(`Created the inactive number "Simulator (test traffic)" (${body.number.phoneE164}); it never sends anything.`);
  return {
    number: { phoneNumberId: body.number.phoneNumberId, wabaId: body.number.wabaId, displayPhoneNumber: body.number.phoneE164.slice(1) },
    appSecret: body.appSecret,
  };
}

const NAMES = [
  "Anna Petrova",
  "Ivan Smirnov",
  "Maria García",
  "John Carter",
  "Olga Ivanova",
  "Léa Martin",
  "Ahmed Khan",
  "Sofia Rossi",
  "Dmitry K.",
  null,
  "Priya Sharma",
  "Tom 🎭",
];
const ORGANIC = [
  "Hi! Is there a trial lesson?",
  "How much is the course?",
  "Do you have evening classes?",
  "Thanks, see you on Monday!",
  "Can I pay in instalments?",
  "What's the address?",
];
const ADS: PayloadReferral[] = [
  {
    sourceType: "ad",
    sourceId: "120210000000000101",
    sourceUrl: "https://fb.me/1acting?utm_source=facebook&utm_medium=cpc&utm_campaign=autumn_acting&utm_content=video_a",
    headline: "Acting course: first lesson free",
    body: "Write to us on WhatsApp and book a free trial.",
    mediaType: "video",
    mediaUrl: "https://video.xx.fbcdn.net/v/acting.mp4",
    thumbnailUrl: "https://scontent.xx.fbcdn.net/v/acting-thumb.jpg",
    welcomeText: "Hi! Want to book your free lesson?",
  },
  {
    sourceType: "ad",
    sourceId: "120210000000000202",
    sourceUrl: "https://fb.me/2speech?utm_source=instagram&utm_medium=paid_social&utm_campaign=public_speaking&utm_content=carousel",
    headline: "Speak with confidence in 8 weeks",
    body: "Public speaking for beginners. Evening groups.",
    mediaType: "image",
    mediaUrl: "https://scontent.xx.fbcdn.net/v/speech.jpg",
  },
  {
    sourceType: "post",
    sourceId: "1029384756",
    sourceUrl: "https://www.facebook.com/school/posts/1029384756",
    headline: "Our students on stage",
    body: "Final show of the spring group",
    mediaType: "image",
    mediaUrl: "https://scontent.xx.fbcdn.net/v/show.jpg",
  },
];

function buildTraffic(n: PayloadNumber, total: number) {
  const run = randomBytes(3).toString("hex");
  const senders = Array.from({ length: Math.max(2, Math.ceil(total / 2)) }, (_, i) => ({
    waId: `1555${String(randomInt(0, 9_999_999)).padStart(7, "0")}`,
    name: NAMES[i % NAMES.length] ?? null,
  }));
  const start = Date.now() - total * 1000;
  const bodies: unknown[] = [];
  for (let i = 0; i < total; i++) {
    const from = senders[i % senders.length]!;
    const at = new Date(start + i * 1000);
    const wamid = fakeWamid(`${run}:${i}`);
    if (i === total - 2 && total >= 10) bodies.push(inboundMessage(n, { from: senders[0]!, wamid, at, text: "STOP" }));
    else if (i === total - 1 && total >= 10) bodies.push(inboundMessage(n, { from: senders[0]!, wamid, at, text: "START" }));
    else if (i % 4 === 0) {
      const ad = ADS[(i / 4) % ADS.length]!;
      const ctwaClid = ad.sourceType === "ad" ? `ARA${randomBytes(40).toString("base64url")}` : undefined;
      bodies.push(inboundMessage(n, { from, wamid, at, text: "Hello! Can I get more info on this?", referral: { ...ad, ctwaClid } }));
    } else if (i % 11 === 5) bodies.push(inboundMessage(n, { from, wamid, at, type: "image", text: "Is this the right group?" }));
    else if (i % 13 === 7) bodies.push(inboundMessage(n, { from, wamid, at, type: "location" }));
    else if (i % 17 === 9 && i > 0) bodies.push(inboundMessage(n, { from, wamid, at, type: "reaction", reactTo: fakeWamid(`${run}:${i - 1}`) }));
    else bodies.push(inboundMessage(n, { from, wamid, at, text: ORGANIC[i % ORGANIC.length] }));
  }
  return bodies;
}

async function main() {
  const { number, appSecret } = await simulatorNumber();
  const bodies = buildTraffic(number, count);
  const statuses = new Map<number, number>();
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const raw = JSON.stringify(bodies[i]);
      const res = await fetch(`${base}/api/webhooks/whatsapp`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signMetaBody(raw, appSecret) },
        body: raw,
      }).catch(() => null);
      const status = res?.status ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency)) }, worker));
  const ms = Date.now() - started;
  const summary = [...statuses].map(([s, n]) => `${n} × ${s === 0 ? "network error" : `HTTP ${s}`}`).join(", ");
  console.log(`Posted ${bodies.length} signed webhooks in ${ms} ms: ${summary}.`);
  console.log(`Open ${base}/dashboard (and the Webhooks page) to watch them land.`);
  if ((statuses.get(200) ?? 0) !== bodies.length) process.exit(1);
}

void main();
