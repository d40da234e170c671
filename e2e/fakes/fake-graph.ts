// Meta's Graph API, played on loopback: phone numbers and ads with their tokens, and Graph's error envelope.
import { type FakeResponse, type FakeServer, startFakeServer } from "./http-fake";

export type FakePhoneNumber = {
  id: string;
  token: string;
  display_phone_number: string;
  verified_name?: string;
  quality_rating?: string;
  code_verification_status?: string;
  messaging_limit_tier?: string;
  /** answer this late (for timeout tests) */
  delayMs?: number;
};

type IdName = { id: string; name: string };

/** A Click-to-WhatsApp ad as the Marketing API reads it (GET /{ad-id}?fields=name,adset{id,name},…). */
export type FakeAd = {
  id: string;
  /** the access token allowed to read it */
  token: string;
  name: string;
  adset?: IdName;
  campaign?: IdName;
  creative?: IdName;
  delayMs?: number;
};

/** A WABA's Conversions API dataset (GET/POST /{waba-id}/dataset, POST /{dataset-id}/events). */
export type FakeDataset = { wabaId: string; token: string; datasetId?: string; name?: string };

/** A WABA's message template as GET /{waba-id}/message_templates returns it (status defaults to APPROVED). */
export type FakeMessageTemplate = {
  id?: string;
  name: string;
  language: string;
  status?: string;
  category?: string;
  parameter_format?: "POSITIONAL" | "NAMED";
  components: Array<Record<string, unknown>>;
};

/**
 * A media object as GET /{media-id} describes it: `{ url, mime_type, sha256, file_size, id }`, the url being
 * this fake's /media-bytes/{id}, which serves `bytes` to the same bearer token (as lookaside.fbsbx.com does).
 */
export type FakeMedia = {
  id: string;
  /** the access token allowed to read it */
  token: string;
  bytes: Buffer;
  mime_type: string;
  sha256?: string;
  /** the url GET /{media-id} answers instead of the fake's own (e.g. another host) */
  url?: string;
  /** the file_size GET /{media-id} reports (default: the bytes' length; null: none) */
  fileSize?: number | null;
  /** the bytes endpoint keeps sending chunks without a Content-Length until the client hangs up */
  endless?: boolean;
};

/** One event batch the fake accepted at POST /{dataset-id}/events, exactly as it arrived. */
export type CapiDelivery = { datasetId: string; token: string | null; body: Record<string, unknown>; fbtraceId: string };

/** Event names Meta accepts with action_source business_messaging (specs/capi-business-messaging.md §3). */
export const FAKE_CAPI_EVENT_NAMES = new Set(["LeadSubmitted", "Purchase", "AddToCart", "InitiateCheckout", "ViewContent"]);

export type FakeGraph = FakeServer & {
  addPhoneNumber(n: FakePhoneNumber): void;
  addAd(ad: FakeAd): void;
  addDataset(d: FakeDataset): void;
  /** Message templates of a WABA, readable with `token` (added to those already there). */
  addMessageTemplates(wabaId: string, token: string, templates: FakeMessageTemplate[]): void;
  /** Accepted CAPI event batches, in arrival order (a failed answer is not a delivery). */
  capiDeliveries: CapiDelivery[];
  /** The next answers of POST /{dataset-id}/events, in order, before the normal behaviour resumes. */
  scriptEvents(...responses: FakeResponse[]): void;
  /** Answer this share (0..1) of event posts with HTTP 500 (for retry benches); optional latency. */
  setEventsChaos(opts: { failureRate: number; delayMs?: number }): void;
  /** Answer requests for this object id with a Graph error: every one, or only the next `times`. */
  failObject(id: string, error: { status: number; code: number; message: string; subcode?: number; type?: string }, opts?: { times?: number }): void;
  /** Media readable with its token (GET /{version}/{media-id}, then GET /media-bytes/{media-id}); removeMedia: expired. */
  addMedia(m: FakeMedia): void;
  removeMedia(id: string): void;
};

let trace = 0;
const graphTrace = () => `AFakeTrace${(++trace).toString().padStart(4, "0")}`;
export function graphError(status: number, code: number, message: string, extra: { subcode?: number; type?: string } = {}): FakeResponse {
  return {
    status,
    json: {
      error: {
        message,
        type: extra.type ?? "OAuthException",
        code,
        ...(extra.subcode ? { error_subcode: extra.subcode } : {}),
        fbtrace_id: graphTrace(),
      },
    },
  };
}

export const expiredToken = () =>
  graphError(401, 190, "Error validating access token: Session has expired on Friday, 20-Nov-26 10:00:00 PST.", { subcode: 463 });

export function bearer(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers.authorization;
  const m = typeof auth === "string" ? auth.match(/^Bearer (.+)$/) : null;
  return m?.[1] ?? null;
}

/** Top-level fields of a Graph `fields` parameter, with their sub-selections: "name,adset{id,name}" → name, adset → [id, name]. */
export function parseFields(raw: string): Map<string, string[] | null> {
  const out = new Map<string, string[] | null>();
  for (const part of raw.match(/[^,{]+(\{[^}]*\})?/g) ?? []) {
    const m = part.trim().match(/^([^{]+)(?:\{([^}]*)\})?$/);
    if (m) out.set(m[1]!.trim(), m[2] === undefined ? null : m[2].split(",").map((f) => f.trim()));
  }
  return out;
}

function adBody(ad: FakeAd, rawFields: string): Record<string, unknown> {
  const body: Record<string, unknown> = { id: ad.id };
  for (const [field, sub] of parseFields(rawFields)) {
    if (field === "name") body.name = ad.name;
    const edge = field === "adset" || field === "campaign" || field === "creative" ? ad[field] : undefined;
    if (edge) body[field] = sub ? Object.fromEntries(Object.entries(edge).filter(([k]) => sub.includes(k))) : { id: edge.id };
  }
  return body;
}

export async function startFakeGraph(opts: { port?: number } = {}): Promise<FakeGraph> {
  const server = await startFakeServer(opts);
  const numbers = new Map<string, FakePhoneNumber>();
  const ads = new Map<string, FakeAd>();
  const failures = new Map<string, { response: FakeResponse; left: number }>();
  const datasets = new Map<string, FakeDataset>(); // by WABA id
  const capiDeliveries: CapiDelivery[] = [];
  const scripted: FakeResponse[] = [];
  let chaos = { failureRate: 0, delayMs: 0 };
  let nextDataset = 900_000_000_000_000;
  const messageTemplates = new Map<string, { token: string; templates: FakeMessageTemplate[] }>(); // by WABA id
  let nextTemplate = 800_000_000_000_000;
  const media = new Map<string, FakeMedia>();

  const datasetOf = (datasetId: string) => [...datasets.values()].find((d) => d.datasetId === datasetId);
  const noObject = (id: string) =>
    graphError(
      400,
      100,
      `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      {
        subcode: 33,
        type: "GraphMethodException",
      },
    );

  server.on("GET", /^\/v\d+\.\d+\/(\d+)\/dataset$/, (req, match) => {
    const d = datasets.get(match[1]!);
    if (!d) return noObject(match[1]!);
    if (bearer(req.headers) !== d.token) return expiredToken();
    return { json: { data: d.datasetId ? [{ id: d.datasetId, name: d.name ?? "WhatsApp Event Data" }] : [] } };
  });

  server.on("POST", /^\/v\d+\.\d+\/(\d+)\/dataset$/, (req, match) => {
    const d = datasets.get(match[1]!);
    if (!d) return noObject(match[1]!);
    if (bearer(req.headers) !== d.token) return expiredToken();
    d.datasetId ??= String(++nextDataset); // idempotent: creates one, or returns the existing one
    return { json: { id: d.datasetId } };
  });

  // filters by `status`; pages of `limit` (default 25) with cursors.after = the index of the next one
  server.on("GET", /^\/v\d+\.\d+\/(\d+)\/message_templates$/, (req, match) => {
    const waba = messageTemplates.get(match[1]!);
    if (!waba) return noObject(match[1]!);
    if (bearer(req.headers) !== waba.token) return expiredToken();
    const status = req.query.get("status")?.toUpperCase();
    const all = waba.templates.filter((t) => !status || (t.status ?? "APPROVED") === status);
    const start = Number(req.query.get("after") ?? 0);
    const limit = Number(req.query.get("limit") ?? 25);
    const data = all.slice(start, start + limit).map((t) => ({ status: "APPROVED", ...t }));
    const more = start + limit < all.length;
    return {
      json: {
        data,
        paging: {
          cursors: { before: String(start), after: String(start + data.length) },
          ...(more ? { next: `${server.url}${req.path}?after=${start + data.length}` } : {}),
        },
      },
    };
  });

  server.on("POST", /^\/v\d+\.\d+\/(\d+)\/events$/, (req, match) => {
    const datasetId = match[1]!;
    const next = scripted.shift();
    if (next) return next;
    if (chaos.failureRate > 0 && Math.random() < chaos.failureRate) {
      return {
        ...graphError(500, 2, "An unexpected error has occurred. Please retry your request later.", { type: "OAuthException" }),
        delayMs: chaos.delayMs,
      };
    }
    const d = datasetOf(datasetId);
    if (!d) return noObject(datasetId);
    if (bearer(req.headers) !== d.token) return expiredToken();
    const body = req.json as { data?: Array<Record<string, unknown>> } | null;
    const events = Array.isArray(body?.data) ? body.data : [];
    if (events.length === 0) return graphError(400, 100, "(#100) The parameter data is required", { type: "OAuthException" });
    for (const e of events) {
      if (!FAKE_CAPI_EVENT_NAMES.has(String(e.event_name))) {
        return graphError(400, 100, "Invalid parameter", { subcode: 2804066, type: "OAuthException" });
      }
    }
    const answer = graphTrace();
    capiDeliveries.push({ datasetId, token: bearer(req.headers), body: body as Record<string, unknown>, fbtraceId: answer });
    return { json: { events_received: events.length, messages: [], fbtrace_id: answer }, delayMs: chaos.delayMs };
  });

  server.on("GET", /^\/v\d+\.\d+\/(\d+)$/, (req, match) => {
    const id = match[1]!;
    const failure = failures.get(id);
    if (failure) {
      if (--failure.left <= 0) failures.delete(id);
      return failure.response;
    }
    const m = media.get(id);
    if (m) {
      if (bearer(req.headers) !== m.token) return expiredToken();
      const fileSize = m.fileSize === undefined ? m.bytes.length : m.fileSize;
      const url = m.url ?? `${server.url}/media-bytes/${id}`;
      return {
        json: { messaging_product: "whatsapp", url, mime_type: m.mime_type, sha256: m.sha256 ?? "", ...(fileSize === null ? {} : { file_size: fileSize }), id },
      };
    }
    const ad = ads.get(id);
    if (ad) {
      if (bearer(req.headers) !== ad.token) return { ...expiredToken(), delayMs: ad.delayMs };
      return { json: adBody(ad, req.query.get("fields") ?? "name"), delayMs: ad.delayMs };
    }
    const n = numbers.get(id);
    if (!n) {
      return graphError(
        400,
        100,
        `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        { subcode: 33, type: "GraphMethodException" },
      );
    }
    if (bearer(req.headers) !== n.token) return { ...expiredToken(), delayMs: n.delayMs };
    const fields = (req.query.get("fields") ?? "display_phone_number,verified_name,quality_rating").split(",");
    const { token: _t, delayMs, ...data } = n;
    const body: Record<string, unknown> = { id: n.id };
    for (const f of fields) if (f in data) body[f] = data[f as keyof typeof data];
    return { json: body, delayMs };
  });

  // the short-lived download URL: the same bearer token as the lookup, else 401 (Meta answers so)
  server.on("GET", /^\/media-bytes\/(\d+)$/, (req, match) => {
    const m = media.get(match[1]!);
    if (!m) return { status: 404, text: "Not Found" };
    if (bearer(req.headers) !== m.token) return { status: 401, text: "Unauthorized" };
    if (!m.endless) return { bytes: m.bytes, headers: { "content-type": m.mime_type } };
    return {
      write: (res) => {
        res.setHeader("content-type", m.mime_type);
        const chunk = Buffer.alloc(64 * 1024, 7);
        const more = () => {
          if (res.destroyed || res.writableEnded) return;
          if (res.write(chunk)) setImmediate(more);
          else res.once("drain", more);
        };
        res.on("close", () => res.destroy());
        more();
      },
    };
  });

  return {
    ...server,
    addPhoneNumber: (n) => void numbers.set(n.id, n),
    addAd: (ad) => void ads.set(ad.id, ad),
    addDataset: (d) => void datasets.set(d.wabaId, { ...d }),
    addMessageTemplates: (wabaId, token, list) => {
      const waba = messageTemplates.get(wabaId) ?? { token, templates: [] };
      waba.token = token;
      waba.templates.push(...list.map((t) => ({ ...t, id: t.id ?? String(++nextTemplate) })));
      messageTemplates.set(wabaId, waba);
    },
    capiDeliveries,
    scriptEvents: (...responses) => void scripted.push(...responses),
    setEventsChaos: (o) => void (chaos = { failureRate: o.failureRate, delayMs: o.delayMs ?? 0 }),
    failObject: (id, e, o = {}) =>
      void failures.set(id, { response: graphError(e.status, e.code, e.message, { subcode: e.subcode, type: e.type }), left: o.times ?? Infinity }),
    addMedia: (m) => void media.set(m.id, m),
    removeMedia: (id) => void media.delete(id),
  };
}
