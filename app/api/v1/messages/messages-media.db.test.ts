// GET /api/v1/messages/{id}/media through its route handler: an inbound image stored by the real ingestion,
// fetched from a fake Graph API (GET /{media-id}, then its URL with the number's token), served with safe
// headers and from the cache the second time; other workspaces, text messages, the size limit (Graph's
// file_size, Content-Length, a chunked body that keeps going), expired media, Graph errors, media URLs off
// Meta's hosts, and Green API download URLs.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type * as ClientModule from "@/db/client";
import type { Db } from "@/db/client";
import { insertTenant } from "@/db/queries";
import { messages } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { type FakeServer, startFakeServer } from "@/e2e/fakes/http-fake";
import { createApiKey } from "@/lib/api-keys";
import { setEnvForTests } from "@/lib/env";
import { MEDIA_MAX_BYTES, sharedMediaCache } from "@/lib/media/media";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { processWebhookEvents } from "@/lib/whatsapp/ingest";
import { storeWebhookEvent } from "@/lib/whatsapp/store";
import { fixtureJson, fixtureText } from "@/test/fixtures/webhooks";

const current: { db?: Db } = {};
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof ClientModule>()), getDb: async () => current.db! }));
const route = await import("./[id]/media/route");

const PNID = "320000000000001"; // the fixtures' Phone Number ID (test/fixtures/webhooks/README.md)
const MEDIA_ID = "900000000000001"; // meta-image.json's image id
const TOKEN = "EAAG-media-token";
const encryptionKey = Buffer.alloc(32, 21).toString("base64");
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("clicktrail fake jpeg"), Buffer.from([0xff, 0xd9])]);

type Answer = { status: number; headers: Headers; bytes: Buffer; json: { error?: { code: string; message: string } } | null };
async function get(token: string, id: string): Promise<Answer> {
  const res = await route.GET(new Request(`http://t/api/v1/messages/${id}/media`, { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({ id }),
  } as never);
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = res.headers.get("content-type")?.includes("json") ? JSON.parse(bytes.toString("utf8")) : null;
  return { status: res.status, headers: res.headers, bytes, json };
}

describe.each(testDrivers)("GET /api/v1/messages/{id}/media (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let green: FakeServer;
  let restoreEnv = () => {};
  let tenantId = "";
  let key = "";
  let otherKey = "";
  let subscriberId = "";

  const graphCalls = (id: string) => graph.requests.filter((r) => r.path.endsWith(`/${id}`)).length;

  /** meta-image.json under another wamid and media id, through storage and the real ingestion; the message's id. */
  async function ingestImage(n: number, replace: Record<string, string> = {}): Promise<{ id: string; mediaId: string }> {
    const mediaId = String(900_000_000_000_100 + n);
    const wamid = `wamid.CT-MEDIA-${kind}-${n}`;
    const event = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody: fixtureText("meta-image.json", { "wamid.CT-IMAGE-0001": wamid, [MEDIA_ID]: mediaId, ...replace }),
      signatureResult: "valid",
      routedPhoneNumberIds: [PNID],
      tenantId,
    });
    await processWebhookEvents(t.db, { ids: [event.id], now: new Date(Date.UTC(2026, 0, 1)) });
    const [row] = await t.db.select().from(messages).where(eq(messages.wamid, wamid));
    return { id: row!.id, mediaId };
  }

  /** A Green API image notification (stored as it came) whose downloadUrl is `url`. */
  async function insertGreenImage(n: number, url: string): Promise<string> {
    const note = fixtureJson<Record<string, unknown> & { messageData: { fileMessageData: Record<string, unknown> } }>("green-incoming-image.json");
    note.messageData.fileMessageData.downloadUrl = url;
    const [row] = await t.db
      .insert(messages)
      .values({
        tenantId,
        subscriberId,
        direction: "inbound",
        wamid: `CTGREEN-MEDIA-${n}`,
        type: "image",
        textPreview: "📷 My payment receipt",
        payload: note,
        status: "received",
        providerTimestamp: new Date(),
      })
      .returning();
    return row!.id;
  }

  beforeAll(async () => {
    t = await createTestDb(kind);
    current.db = t.db;
    graph = await startFakeGraph();
    green = await startFakeServer();
    green.on("GET", /^\/media\/(\w+)$/, () => ({ bytes: JPEG, headers: { "content-type": "image/jpeg" } }));
    restoreEnv = setEnvForTests({
      ENCRYPTION_KEY: encryptionKey,
      GRAPH_API_BASE: graph.url,
      GRAPH_API_VERSION: "v24.0",
      GREEN_API_HOSTS: `127.0.0.1:${green.port}`,
    });
    tenantId = (await insertTenant(t.db, { name: "Media" })).id;
    await createNumber(
      t.db,
      { encryptionKey, appUrl: "http://x" },
      {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Sales",
          phoneE164: "+15550100001",
          phoneNumberId: PNID,
          wabaId: "310000000000001",
          accessToken: TOKEN,
          appSecret: "s",
        }),
      },
    );
    key = (await createApiKey(t.db, { tenantId, name: "k", createdBy: null })).secret;
    otherKey = (await createApiKey(t.db, { tenantId: (await insertTenant(t.db, { name: "Other" })).id, name: "k", createdBy: null })).secret;
    const first = await ingestImage(0);
    subscriberId = (await t.db.select().from(messages).where(eq(messages.id, first.id)))[0]!.subscriberId;
  });
  beforeEach(() => sharedMediaCache.clear());
  afterAll(async () => {
    restoreEnv();
    await graph.close();
    await green.close();
    await t.cleanup();
  });

  it("fetches an inbound image from Meta with the number's token, with safe headers, then serves it from the cache", async () => {
    const { id, mediaId } = await ingestImage(1);
    graph.addMedia({ id: mediaId, token: TOKEN, bytes: JPEG, mime_type: "image/jpeg", sha256: "abc" });

    const first = await get(key, id);
    expect(first.status).toBe(200);
    expect(first.bytes.equals(JPEG)).toBe(true);
    expect(first.headers.get("content-type")).toBe("image/jpeg");
    expect(first.headers.get("content-length")).toBe(String(JPEG.length));
    expect(first.headers.get("content-disposition")).toBe(`inline; filename="image-${id.slice(0, 8)}.jpg"`);
    expect(first.headers.get("cache-control")).toBe("private, max-age=3600");
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    expect(first.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    // the lookup and the download both carried the number's token; the browser saw neither it nor the URL
    const lookups = graph.requests.filter((r) => r.path === `/v24.0/${mediaId}`);
    const downloads = graph.requests.filter((r) => r.path === `/media-bytes/${mediaId}`);
    expect(lookups).toHaveLength(1);
    expect(downloads).toHaveLength(1);
    expect(lookups[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(downloads[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first.headers.get("location")).toBeNull();

    const again = await get(key, id);
    expect(again.status).toBe(200);
    expect(again.bytes.equals(JPEG)).toBe(true);
    expect(graphCalls(mediaId)).toBe(2); // still the first lookup and download: the second answer came from the cache
  });

  it("answers 404 for another workspace's message, a text message and an unknown id", async () => {
    const { id, mediaId } = await ingestImage(2);
    graph.addMedia({ id: mediaId, token: TOKEN, bytes: JPEG, mime_type: "image/jpeg" });
    const other = await get(otherKey, id);
    expect(other.status).toBe(404);
    expect(other.json?.error?.code).toBe("not_found");
    expect(graphCalls(mediaId)).toBe(0);

    const textEvent = await storeWebhookEvent(t.db, {
      provider: "cloud",
      rawBody: fixtureText("meta-text.json"),
      signatureResult: "valid",
      routedPhoneNumberIds: [PNID],
      tenantId,
    });
    await processWebhookEvents(t.db, { ids: [textEvent.id], now: new Date(Date.UTC(2026, 0, 1)) });
    const [text] = await t.db.select().from(messages).where(eq(messages.type, "text"));
    const noMedia = await get(key, text!.id);
    expect(noMedia.status).toBe(404);
    expect(noMedia.json?.error?.code).toBe("no_media");

    expect((await get(key, "6c1e2f3a-4b5d-4e6f-8a7b-9c0d1e2f3a4b")).status).toBe(404);
    expect((await get(key, "not-a-uuid")).status).toBe(404);
  });

  it("refuses media over the limit: by Graph's file_size, by Content-Length, and a chunked body that keeps going", async () => {
    const bySize = await ingestImage(3);
    graph.addMedia({ id: bySize.mediaId, token: TOKEN, bytes: JPEG, mime_type: "video/mp4", fileSize: 40 * 1024 * 1024 });
    const a = await get(key, bySize.id);
    expect(a.status).toBe(413);
    expect(a.json?.error?.code).toBe("media_too_large");
    expect(graph.requests.filter((r) => r.path === `/media-bytes/${bySize.mediaId}`)).toHaveLength(0);

    const byLength = await ingestImage(4);
    graph.addMedia({ id: byLength.mediaId, token: TOKEN, bytes: Buffer.alloc(MEDIA_MAX_BYTES + 1, 1), mime_type: "video/mp4", fileSize: null });
    const b = await get(key, byLength.id);
    expect(b.status).toBe(413);
    expect(b.json?.error?.code).toBe("media_too_large");

    const endless = await ingestImage(5);
    graph.addMedia({ id: endless.mediaId, token: TOKEN, bytes: JPEG, mime_type: "video/mp4", fileSize: null, endless: true });
    const c = await get(key, endless.id);
    expect(c.status).toBe(413);
    expect(c.json?.error?.code).toBe("media_too_large");
    expect(sharedMediaCache.count).toBe(0);
  });

  it("says when Meta no longer has the media, and passes Meta's error on otherwise", async () => {
    const gone = await ingestImage(6); // never added: Graph answers "Object with ID … does not exist"
    const a = await get(key, gone.id);
    expect(a.status).toBe(404);
    expect(a.json?.error?.code).toBe("media_not_found");
    expect(a.json?.error?.message).toMatch(/30 days/);

    const denied = await ingestImage(7);
    graph.addMedia({ id: denied.mediaId, token: "another-token", bytes: JPEG, mime_type: "image/jpeg" });
    const b = await get(key, denied.id);
    expect(b.status).toBe(502);
    expect(b.json?.error?.code).toBe("provider_error");
    expect(b.json?.error?.message).toMatch(/Graph error 190\/463: Error validating access token/);
    expect(b.json?.error?.message).not.toContain(TOKEN);
  });

  it("refuses a media URL off Meta's hosts (another host, the metadata address, http, a redirect) without sending the token", async () => {
    for (const [n, url] of [
      [8, "https://evil.example.com/steal"],
      [9, "http://169.254.169.254/latest/meta-data/"],
      [10, "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"],
      [11, "https://lookaside.fbsbx.com:8443/whatsapp_business/attachments/?mid=1"],
      [12, "https://user:pass@lookaside.fbsbx.com/x"],
    ] as const) {
      const m = await ingestImage(n);
      graph.addMedia({ id: m.mediaId, token: TOKEN, bytes: JPEG, mime_type: "image/jpeg", url });
      const res = await get(key, m.id);
      expect(res.status, url).toBe(502);
      expect(res.json?.error?.code, url).toBe("media_url_refused");
      expect(res.json?.error?.message).not.toContain(TOKEN);
    }

    graph.on("GET", /^\/redirect-media$/, () => ({ status: 302, headers: { location: "http://169.254.169.254/" }, text: "" }));
    const redirected = await ingestImage(13);
    graph.addMedia({ id: redirected.mediaId, token: TOKEN, bytes: JPEG, mime_type: "image/jpeg", url: `${graph.url}/redirect-media` });
    const r = await get(key, redirected.id);
    expect(r.status).toBe(502);
    expect(r.json?.error?.code).toBe("provider_error");
    expect(r.json?.error?.message).toMatch(/redirect/);
  });

  it("serves an active type (HTML, SVG) as an attachment of application/octet-stream, with a sanitised file name", async () => {
    const m = await ingestImage(14);
    graph.addMedia({ id: m.mediaId, token: TOKEN, bytes: Buffer.from("<svg onload=alert(1)>"), mime_type: "image/svg+xml" });
    const res = await get(key, m.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="image-/);
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
  });

  it("fetches Green API media from its download URL on an allowed host (no credentials), and refuses other hosts", async () => {
    const ok = await insertGreenImage(1, `${green.url}/media/receipt1`);
    const res = await get(key, ok);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(JPEG)).toBe(true);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("content-disposition")).toBe('inline; filename="image-0005.jpg"');
    const hit = green.requests.find((r) => r.path === "/media/receipt1");
    expect(hit?.headers.authorization).toBeUndefined();

    for (const [n, url] of [
      [2, "http://169.254.169.254/latest/meta-data/iam/"],
      [3, "https://evil.example.com/image.jpg"],
      [4, `${graph.url}/media-bytes/${MEDIA_ID}`.replace("127.0.0.1", "localhost")],
      [5, "http://10.0.0.7/image.jpg"],
    ] as const) {
      const id = await insertGreenImage(n, url);
      const refused = await get(key, id);
      expect(refused.status, url).toBe(502);
      expect(refused.json?.error?.code, url).toBe("media_url_refused");
    }
  });
});
