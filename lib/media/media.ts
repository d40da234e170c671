// A message's media, fetched from its provider on demand through our server: Meta's Cloud API (GET /{media-id}
// with the number's token, then the short-lived URL it returns with the same bearer), Green API (the
// notification's downloadUrl) and Gupshup (its media url). The token never leaves the server, only the
// provider's own hosts are reached (lib/egress.ts), redirects are not followed, bodies are bounded
// (MEDIA_MAX_BYTES) and one deadline covers each transfer. Fetched media is kept in a bounded cache (./cache.ts).
import { z } from "zod";
import type { Db } from "@/db/client";
import { getMessageById, getNumberById, type MessageRow, type NumberRow } from "@/db/queries";
import { type EgressPolicy, type HostRule, parseHostRule, type Resolve } from "@/lib/egress";
import { AppError, notFound } from "@/lib/errors";
import { describeGraphFailure, type GraphConfig, type GraphFailure, graphRequest } from "@/lib/graph/client";
import { numberAccessToken } from "@/lib/numbers/numbers";
import { type CachedMedia, createMediaCache, type MediaCache, mediaCacheKey } from "./cache";
import { type DownloadFailure, downloadMedia } from "./download";

/** WhatsApp's own limits are 5 MB (images), 16 MB (audio, video) and 100 MB (documents); larger ones are refused (413). */
export const MEDIA_MAX_BYTES = 16 * 1024 * 1024;
export const MEDIA_TIMEOUT_MS = 20_000;

export type MediaProvider = "cloud" | "gupshup" | "green";

/** What to fetch for a message: Meta's media id (Cloud API), or the provider's download URL. */
export type MessageMedia = {
  provider: MediaProvider;
  type: string;
  mediaId: string | null;
  url: string | null;
  mimeType: string | null;
  filename: string | null;
};

export type FetchedMedia = CachedMedia;

export type MediaDeps = {
  encryptionKey: string;
  graph: GraphConfig;
  /** Green API's policy (lib/whatsapp/green-client.ts): its `trusted` hosts (GREEN_API_HOSTS) are allowed for media too */
  greenEgress: EgressPolicy;
  /** DNS resolution for every media host (tests only) */
  resolve?: Resolve;
  cache?: MediaCache;
  maxBytes?: number;
  timeoutMs?: number;
};

/**
 * Meta's media hosts (specs/whatsapp-cloud-webhooks.md): the URLs GET /{media-id} returns are on
 * lookaside.fbsbx.com; ad and inbound media URLs on *.fbcdn.net. HTTPS on port 443 only.
 */
export const META_MEDIA_HOSTS: readonly HostRule[] = [
  { host: "fbsbx.com", wildcard: true, port: null },
  { host: "fbcdn.net", wildcard: true, port: null },
];

/**
 * Green API's media URLs: any host of Green's own domains (downloadUrl is on hosts such as
 * sw-media-out.green-api.com, not the API host), plus the operator's GREEN_API_HOSTS.
 */
export const GREEN_MEDIA_HOSTS: readonly HostRule[] = [
  { host: "green-api.com", wildcard: true, port: null },
  { host: "greenapi.com", wildcard: true, port: null },
];

/** Gupshup's media URLs (filemanager.gupshup.io). */
export const GUPSHUP_MEDIA_HOSTS: readonly HostRule[] = [{ host: "gupshup.io", wildcard: true, port: null }];

const MEDIA_TYPES = new Set(["image", "video", "audio", "document", "sticker", "voice"]);
const GUPSHUP_MEDIA_TYPES: Record<string, string> = { image: "image", video: "video", audio: "audio", sticker: "sticker", file: "document" };
// Meta's media ids are numbers; anything else would let a stored payload steer a Graph call made with our token
const MEDIA_ID = /^\d{1,40}$/;

const record = (v: unknown): Record<string, unknown> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const httpUrl = (v: unknown): string | null => {
  const s = text(v);
  return s && /^https?:\/\//i.test(s) ? s : null;
};

/** What to fetch for this message, from its stored provider payload; null when it carries no media. */
export function mediaOf(message: Pick<MessageRow, "type" | "payload">): MessageMedia | null {
  const p = record(message.payload);
  if (!p) return null;
  // Green API: the notification itself (`messageData.fileMessageData.downloadUrl`)
  if (typeof p.typeWebhook === "string") {
    const file = record(record(p.messageData)?.fileMessageData);
    const url = httpUrl(file?.downloadUrl); // an API exception (SWE001…) stands where the URL should be
    if (!file || !url) return null;
    return { provider: "green", type: message.type, mediaId: null, url, mimeType: text(file.mimeType), filename: text(file.fileName) };
  }
  // Gupshup v2: `{ type: "image" | "file" …, payload: { url, contentType, name } }`
  const inner = record(p.payload);
  const gupshupType = typeof p.type === "string" ? GUPSHUP_MEDIA_TYPES[p.type] : undefined;
  if (inner && gupshupType) {
    const url = httpUrl(inner.url);
    if (!url) return null;
    return {
      provider: "gupshup",
      type: gupshupType,
      mediaId: null,
      url,
      mimeType: text(inner.contentType),
      filename: text(inner.filename) ?? text(inner.name),
    };
  }
  // Meta's message object (Cloud API, and Gupshup v3 which relays it): `{ type, [type]: { id, mime_type, filename } }`
  const type = text(p.type) ?? message.type;
  if (!MEDIA_TYPES.has(type)) return null;
  const m = record(p[type]);
  if (!m) return null;
  const id = text(m.id);
  const mediaId = id && MEDIA_ID.test(id) ? id : null;
  const url = httpUrl(m.url);
  if (!mediaId && !url) return null;
  return { provider: "cloud", type, mediaId, url, mimeType: text(m.mime_type), filename: text(m.filename) };
}

/** A Graph-configured host (GRAPH_API_BASE) is the operator's: media URLs on it are allowed like Meta's (the fake in tests). */
function graphHostRule(base: string): HostRule[] {
  const u = new URL(base);
  const rule = parseHostRule(`${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`);
  return rule ? [rule] : [];
}

export function metaMediaPolicy(deps: Pick<MediaDeps, "graph" | "resolve">): EgressPolicy {
  return { provider: META_MEDIA_HOSTS, trusted: graphHostRule(deps.graph.base), ...(deps.resolve ? { resolve: deps.resolve } : {}) };
}

const withResolve = (policy: EgressPolicy, resolve?: Resolve): EgressPolicy => (resolve ? { ...policy, resolve } : policy);

const unavailable = (message: string) => new AppError("not_found", message, undefined, "media_unavailable");
const expired = (who: string) =>
  new AppError("not_found", `${who} no longer has this media: media is kept for a limited time (about 30 days at Meta)`, undefined, "media_not_found");
const tooLarge = (limit: number, size: number | null) =>
  new AppError(
    "payload_too_large",
    `The media is ${size === null ? "larger than" : `${Math.ceil(size / 1024 / 1024)} MiB, over`} the ${limit / 1024 / 1024} MiB this server fetches`,
    size === null ? { limit } : { limit, size },
    "media_too_large",
  );

function downloadError(who: string, e: DownloadFailure, limit: number): AppError {
  switch (e.kind) {
    case "refused":
      return new AppError("provider_error", `${who} gave a media URL this server does not fetch: ${e.message}`, undefined, "media_url_refused");
    case "redirect":
      return new AppError("provider_error", `${who} answered the media download with a redirect (HTTP ${e.status}), which is not followed`);
    case "http":
      return e.status === 404 || e.status === 410 ? expired(who) : new AppError("provider_error", `${who} answered the media download with HTTP ${e.status}`);
    case "too_large":
      return tooLarge(limit, e.size);
    case "timeout":
      return new AppError("provider_error", `${who} did not send the media in time (${e.message})`);
    case "network":
      return new AppError("provider_error", `Could not reach ${who} for the media (${e.message})`);
  }
}

const mediaInfoSchema = z.looseObject({
  url: z.string(),
  mime_type: z.string().optional(),
  file_size: z.coerce.number().optional(),
  id: z.string().optional(),
});

function graphMediaError(e: GraphFailure): AppError {
  // an unknown or expired media id: "Object with ID '…' does not exist" (code 100, subcode 33), or a 404
  if (e.kind === "graph" && (e.httpStatus === 404 || e.httpStatus === 410 || (e.code === 100 && e.subcode === 33))) return expired("Meta");
  return new AppError("provider_error", `Meta did not return the media: ${describeGraphFailure(e)}`, e.kind === "graph" ? { graph: e.raw } : undefined);
}

/** The bytes of a message's media from its provider (no cache). */
export async function fetchMessageMedia(
  deps: MediaDeps,
  number: NumberRow | null,
  media: MessageMedia,
): Promise<{ contentType: string | null; bytes: Buffer; filename: string | null }> {
  const maxBytes = deps.maxBytes ?? MEDIA_MAX_BYTES;
  const timeoutMs = deps.timeoutMs ?? MEDIA_TIMEOUT_MS;
  if (media.provider === "cloud") {
    if (!number || number.provider !== "cloud") throw unavailable("This media can only be fetched through the Meta Cloud API number that received it");
    if (number.demo) throw unavailable(`${number.label} is a demo number: its messages have no media to fetch`);
    const token = numberAccessToken(number, deps.encryptionKey);
    let url = media.url;
    let mimeType = media.mimeType;
    if (media.mediaId) {
      const info = await graphRequest(deps.graph, { path: media.mediaId, token, schema: mediaInfoSchema });
      if (!info.ok) throw graphMediaError(info.error);
      if (info.data.file_size !== undefined && info.data.file_size > maxBytes) throw tooLarge(maxBytes, info.data.file_size);
      url = info.data.url;
      mimeType = info.data.mime_type ?? mimeType;
    }
    const got = await downloadMedia(url!, { policy: metaMediaPolicy(deps), headers: { authorization: `Bearer ${token}` }, maxBytes, timeoutMs });
    if (!got.ok) throw downloadError("Meta", got.error, maxBytes);
    return { contentType: mimeType ?? got.contentType, bytes: got.bytes, filename: media.filename };
  }
  const who = media.provider === "green" ? "Green API" : "Gupshup";
  const policy =
    media.provider === "green"
      ? withResolve({ ...deps.greenEgress, provider: GREEN_MEDIA_HOSTS }, deps.resolve)
      : withResolve({ provider: GUPSHUP_MEDIA_HOSTS, trusted: [] }, deps.resolve);
  // no credentials: these URLs carry their own access
  const got = await downloadMedia(media.url!, { policy, maxBytes, timeoutMs });
  if (!got.ok) throw downloadError(who, got.error, maxBytes);
  return { contentType: media.mimeType ?? got.contentType, bytes: got.bytes, filename: media.filename };
}

// --- what the browser is given ---------------------------------------------------------------------------

const SERVED_TYPE = /^(image|audio|video|application|text)\/[a-z0-9][a-z0-9.+-]*$/;
// types a browser would run as a page or script: served as a download instead (the CSP sandbox stops them anyway)
const ACTIVE_TYPE =
  /^(text\/html|text\/xml|text\/javascript|text\/ecmascript|application\/xml|application\/xhtml\+xml|application\/javascript|application\/ecmascript|image\/svg\+xml)$|\+xml$/;

/** The type to answer with: the provider's, without parameters, or application/octet-stream when it is unusual or active. */
export function servedContentType(raw: string | null): { contentType: string; active: boolean } {
  const type = (raw ?? "").split(";")[0]!.trim().toLowerCase();
  if (!SERVED_TYPE.test(type)) return { contentType: "application/octet-stream", active: false };
  if (ACTIVE_TYPE.test(type)) return { contentType: "application/octet-stream", active: true };
  return { contentType: type, active: false };
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/webp": ".webp",
  "image/gif": ".gif",
  "audio/ogg": ".ogg",
  "audio/mpeg": ".mp3",
  "audio/aac": ".aac",
  "audio/mp4": ".m4a",
  "audio/amr": ".amr",
  "video/mp4": ".mp4",
  "video/3gpp": ".3gp",
  "application/pdf": ".pdf",
  "text/plain": ".txt",
};

/** A file name safe in a header and on a disk: no control characters, quotes, slashes or leading dots; at most 120 characters. */
export function safeFilename(name: string | null, fallback: string): string {
  const cleaned = (name ?? "")
    .normalize("NFC")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f"\\/:*?<>|;%]+/g, "_")
    .replace(/^[\s._]+/, "")
    .trim()
    .slice(0, 120);
  return cleaned || fallback;
}

/** `inline; filename="…"` (ASCII) plus `filename*` (UTF-8) for names that are not ASCII. */
export function contentDisposition(kind: "inline" | "attachment", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_");
  return ascii === filename
    ? `${kind}; filename="${ascii}"`
    : `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** The answer carrying the media: private caching, no sniffing, and a CSP that lets nothing in it run. */
export function mediaResponse(media: FetchedMedia): Response {
  const { contentType, active } = servedContentType(media.contentType);
  return new Response(new Uint8Array(media.bytes), {
    status: 200,
    headers: {
      "content-type": contentType,
      "content-length": String(media.bytes.length),
      "content-disposition": contentDisposition(active ? "attachment" : "inline", media.filename),
      "cache-control": "private, max-age=3600",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cross-origin-resource-policy": "same-origin",
    },
  });
}

// --- the operation --------------------------------------------------------------------------------------

export const sharedMediaCache = createMediaCache({ maxEntryBytes: MEDIA_MAX_BYTES });
const inFlight = new Map<string, Promise<FetchedMedia>>();

/**
 * A message's media for the console or the API: the message is looked up in the caller's workspace (another
 * workspace's id is a 404 like an unknown one), then served from the cache or fetched once (concurrent
 * requests for the same message share one fetch).
 */
export async function getMessageMedia(db: Db, deps: MediaDeps, { tenantId, messageId }: { tenantId: string; messageId: string }): Promise<FetchedMedia> {
  const message = await getMessageById(db, { tenantId, id: messageId });
  if (!message) throw notFound("Message");
  const media = mediaOf(message);
  if (!media) throw new AppError("not_found", "This message has no media", undefined, "no_media");
  const cache = deps.cache ?? sharedMediaCache;
  const key = mediaCacheKey(tenantId, message.id);
  const hit = cache.get(key);
  if (hit) return hit;
  const running = inFlight.get(key);
  if (running) return running;
  const fetching = (async () => {
    const number = message.numberId ? await getNumberById(db, { tenantId, id: message.numberId }) : null;
    const got = await fetchMessageMedia(deps, number, media);
    const contentType = servedContentType(got.contentType).contentType;
    const fallback = `${media.type}-${message.id.slice(0, 8)}${EXTENSIONS[contentType] ?? ""}`;
    const fetched: FetchedMedia = { contentType: got.contentType ?? contentType, bytes: got.bytes, filename: safeFilename(got.filename, fallback) };
    cache.set(key, fetched);
    return fetched;
  })();
  inFlight.set(key, fetching);
  try {
    return await fetching;
  } finally {
    inFlight.delete(key);
  }
}
