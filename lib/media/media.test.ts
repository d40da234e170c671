// What a stored message's media is (Cloud API, Gupshup, Green API payloads from the fixtures), the bounded
// download (egress checks after DNS, Content-Length and streamed limits, no redirects, a deadline), the LRU
// cache, and the headers the browser is given.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeServer, startFakeServer } from "@/e2e/fakes/http-fake";
import type { EgressPolicy, Resolve } from "@/lib/egress";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import { fixtureJson } from "@/test/fixtures/webhooks";
import { createMediaCache } from "./cache";
import { downloadMedia } from "./download";
import { contentDisposition, fetchMessageMedia, mediaOf, metaMediaPolicy, safeFilename, servedContentType } from "./media";

type MetaBody = { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
const metaMessage = (file: string) => fixtureJson<MetaBody>(file).entry[0]!.changes[0]!.value.messages[0]!;
const gupshupMessage = (file: string) => fixtureJson<{ payload: Record<string, unknown> }>(file).payload;

describe("mediaOf", () => {
  it("reads Meta's media id, type, mime type and file name", () => {
    expect(mediaOf({ type: "image", payload: metaMessage("meta-image.json") })).toMatchObject({
      provider: "cloud",
      type: "image",
      mediaId: "900000000000001",
      mimeType: "image/jpeg",
      filename: null,
    });
    expect(mediaOf({ type: "document", payload: metaMessage("meta-document.json") })).toMatchObject({
      provider: "cloud",
      mediaId: "900000000000006",
      mimeType: "application/pdf",
      filename: "contract-ct-0042.pdf",
    });
    expect(mediaOf({ type: "audio", payload: metaMessage("meta-audio-voice.json") })).toMatchObject({
      mediaId: "900000000000003",
      mimeType: "audio/ogg; codecs=opus",
    });
    expect(mediaOf({ type: "sticker", payload: metaMessage("meta-sticker.json") })).toMatchObject({ mediaId: "900000000000007", mimeType: "image/webp" });
  });

  it("has nothing for text, locations, reactions or a missing payload", () => {
    expect(mediaOf({ type: "text", payload: metaMessage("meta-text.json") })).toBeNull();
    expect(mediaOf({ type: "location", payload: metaMessage("meta-location-pin.json") })).toBeNull();
    expect(mediaOf({ type: "reaction", payload: metaMessage("meta-reaction.json") })).toBeNull();
    expect(mediaOf({ type: "image", payload: null })).toBeNull();
  });

  it("never takes a media id that is not a number (it becomes a Graph path called with our token)", () => {
    const payload = { type: "image", image: { id: "../me/accounts", mime_type: "image/jpeg" } };
    expect(mediaOf({ type: "image", payload })).toBeNull();
  });

  it("reads Gupshup's media url and Green API's downloadUrl", () => {
    expect(mediaOf({ type: "audio", payload: gupshupMessage("gupshup-message-audio.json") })).toMatchObject({
      provider: "gupshup",
      type: "audio",
      url: "https://filemanager.gupshup.io/wa/ct-fixture-app/wa/media/ct-audio-0006?download=false",
      mimeType: "audio/ogg; codecs=opus",
    });
    expect(mediaOf({ type: "image", payload: gupshupMessage("gupshup-message-image.json") })).toMatchObject({ provider: "gupshup", type: "image" });
    expect(mediaOf({ type: "image", payload: fixtureJson("green-incoming-image.json") })).toEqual({
      provider: "green",
      type: "image",
      mediaId: null,
      url: "https://sw-media-out.green-api.com/ct-fixture/image-0005.jpg",
      mimeType: "image/jpeg",
      filename: "image-0005.jpg",
    });
    expect(mediaOf({ type: "document", payload: fixtureJson("green-incoming-document.json") })).toMatchObject({ provider: "green", type: "document" });
    expect(mediaOf({ type: "text", payload: fixtureJson("green-incoming-text.json") })).toBeNull();
    expect(mediaOf({ type: "unsupported", payload: fixtureJson("green-incoming-api-exception.json") })).toBeNull();
  });
});

describe("downloadMedia and fetchMessageMedia", () => {
  let server: FakeServer;
  let policy: EgressPolicy;
  beforeAll(async () => {
    server = await startFakeServer();
    policy = { provider: [], trusted: [{ host: "127.0.0.1", wildcard: false, port: server.port }] };
    server.on("GET", /^\/small$/, () => ({ bytes: Buffer.alloc(100, 1), headers: { "content-type": "image/png" } }));
    server.on("GET", /^\/declared$/, () => ({ bytes: Buffer.alloc(2000, 1) }));
    server.on("GET", /^\/slow$/, () => ({ bytes: Buffer.alloc(10, 1), delayMs: 500 }));
    server.on("GET", /^\/moved$/, () => ({ status: 301, headers: { location: "/small" }, text: "" }));
    server.on("GET", /^\/chunked$/, () => ({
      write: (res) => {
        let sent = 0;
        const more = () => {
          if (res.destroyed || sent > 100) return;
          sent++;
          res.write(Buffer.alloc(512, 2));
          setImmediate(more);
        };
        more();
      },
    }));
  });
  afterAll(() => server.close());

  it("reads a body within the limit, with its content type", async () => {
    const got = await downloadMedia(`${server.url}/small`, { policy, maxBytes: 100, timeoutMs: 2000 });
    expect(got).toMatchObject({ ok: true, contentType: "image/png" });
    expect(got.ok && got.bytes.length).toBe(100);
  });

  it("refuses by Content-Length before reading, and stops a chunked body as soon as it passes the limit", async () => {
    expect(await downloadMedia(`${server.url}/declared`, { policy, maxBytes: 1000, timeoutMs: 2000 })).toEqual({
      ok: false,
      error: { kind: "too_large", size: 2000 },
    });
    expect(await downloadMedia(`${server.url}/chunked`, { policy, maxBytes: 4000, timeoutMs: 2000 })).toEqual({
      ok: false,
      error: { kind: "too_large", size: null },
    });
  });

  it("follows no redirect and keeps one deadline", async () => {
    expect(await downloadMedia(`${server.url}/moved`, { policy, maxBytes: 1000, timeoutMs: 2000 })).toEqual({
      ok: false,
      error: { kind: "redirect", status: 301 },
    });
    const slow = await downloadMedia(`${server.url}/slow`, { policy, maxBytes: 1000, timeoutMs: 100 });
    expect(slow).toMatchObject({ ok: false, error: { kind: "timeout" } });
  });

  it("refuses Meta's and Green's own host names when they resolve to private or metadata addresses", async () => {
    const toMetadata: Resolve = async () => [{ address: "169.254.169.254", family: 4 }];
    const toPrivate: Resolve = async () => [{ address: "10.0.0.5", family: 4 }];
    const meta = metaMediaPolicy({ graph: { base: "https://graph.facebook.com", version: "v24.0" }, resolve: toPrivate });
    expect(
      await downloadMedia("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", { policy: meta, maxBytes: 10, timeoutMs: 2000 }),
    ).toMatchObject({
      ok: false,
      error: { kind: "refused", message: expect.stringMatching(/10\.0\.0\.5, a private address/) },
    });
    const deps = {
      encryptionKey: Buffer.alloc(32, 1).toString("base64"),
      graph: { base: "https://graph.facebook.com", version: "v24.0" },
      greenEgress: greenEgressPolicy(),
      resolve: toMetadata,
    };
    const green = mediaOf({ type: "image", payload: fixtureJson("green-incoming-image.json") })!;
    await expect(fetchMessageMedia(deps, null, green)).rejects.toMatchObject({
      reason: "media_url_refused",
      message: expect.stringMatching(/169\.254\.169\.254/),
    });
    const gupshup = mediaOf({ type: "audio", payload: gupshupMessage("gupshup-message-audio.json") })!;
    await expect(fetchMessageMedia(deps, null, gupshup)).rejects.toMatchObject({ reason: "media_url_refused" });
    // a Cloud API media id needs the Cloud API number that received it
    const cloud = mediaOf({ type: "image", payload: metaMessage("meta-image.json") })!;
    await expect(fetchMessageMedia(deps, null, cloud)).rejects.toMatchObject({ code: "not_found", reason: "media_unavailable" });
  });
});

describe("createMediaCache", () => {
  const item = (n: number) => ({ contentType: "image/jpeg", bytes: Buffer.alloc(n), filename: "x.jpg" });

  it("evicts the least recently used entries past its byte budget and never keeps an oversized entry", () => {
    const cache = createMediaCache({ maxBytes: 100, maxEntryBytes: 60 });
    cache.set("a", item(40));
    cache.set("b", item(40));
    expect(cache.get("a")).toBeDefined(); // a is now the most recent
    cache.set("c", item(40)); // 120 > 100: b goes
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    expect(cache.size).toBe(80);
    cache.set("big", item(61));
    expect(cache.get("big")).toBeUndefined();
    expect(cache.size).toBe(80);
    cache.set("a", item(10)); // replacing an entry counts its new size only
    expect(cache.size).toBe(50);
  });
});

describe("what the browser is given", () => {
  it("keeps ordinary media types, and turns active or unusual ones into application/octet-stream", () => {
    expect(servedContentType("audio/ogg; codecs=opus")).toEqual({ contentType: "audio/ogg", active: false });
    expect(servedContentType("application/pdf")).toEqual({ contentType: "application/pdf", active: false });
    expect(servedContentType("text/html; charset=utf-8")).toEqual({ contentType: "application/octet-stream", active: true });
    expect(servedContentType("image/svg+xml")).toEqual({ contentType: "application/octet-stream", active: true });
    expect(servedContentType("application/rss+xml")).toEqual({ contentType: "application/octet-stream", active: true });
    expect(servedContentType("x-weird/thing")).toEqual({ contentType: "application/octet-stream", active: false });
    expect(servedContentType(null)).toEqual({ contentType: "application/octet-stream", active: false });
  });

  it("sanitises file names for the header", () => {
    expect(safeFilename('../../etc/"passwd"\r\nSet-Cookie: a=b', "fallback")).toBe("etc_passwd_Set-Cookie_ a=b");
    expect(safeFilename("...", "fallback.jpg")).toBe("fallback.jpg");
    expect(safeFilename(null, "image-1.jpg")).toBe("image-1.jpg");
    expect(contentDisposition("inline", "contract.pdf")).toBe('inline; filename="contract.pdf"');
    expect(contentDisposition("inline", "договор.pdf")).toBe(`inline; filename="_______.pdf"; filename*=UTF-8''${encodeURIComponent("договор.pdf")}`);
  });
});
