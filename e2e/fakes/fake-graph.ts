// Meta's Graph API, played on loopback: phone numbers and ads with their tokens, and Graph's error envelope.
import { type FakeRequest, type FakeResponse, type FakeServer, startFakeServer } from "./http-fake";

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
  /** An ad account whose Custom Audiences `token` may read and change (with or without ads_management, terms accepted or not). */
  addAdAccount(a: FakeAdAccount): void;
  /** A customer-list audience already on an ad account (as if created in Ads Manager); returns its id. */
  addCustomAudience(a: { adAccountId: string; id?: string; name: string; description?: string }): string;
  /** An audience's state: who is in it (by row key, see `audienceRowKey`), and what was received. Undefined when unknown. */
  customAudience(id: string): FakeCustomAudience | undefined;
  /** The next answers of POST/DELETE /{audience-id}/users, in order ("pass": answer that one normally), before the normal behaviour resumes. */
  scriptAudienceUsers(...responses: (FakeResponse | "pass")[]): void;
  /** Counters of the /{audience-id}/users edge (accepted requests and their rows), for tests and benches. */
  audienceStats: FakeAudienceStats;
  /** Accepted /{audience-id}/users requests with their rows, in arrival order (empty when `audienceLog` is "counts"). */
  audienceUploads: FakeAudienceUpload[];
};

/** An ad account of the Marketing API (GET/POST /act_{id}/customaudiences). `id` is digits, without "act_". */
export type FakeAdAccount = {
  id: string;
  /** the access token allowed on it */
  token: string;
  /** the token carries ads_management (default true); without it every audience call fails with (#200) */
  adsManagement?: boolean;
  /** the Custom Audience terms were accepted on this account (default true) */
  termsAccepted?: boolean;
};

export type FakeCustomAudience = {
  id: string;
  adAccountId: string;
  name: string;
  description: string | null;
  subtype: string;
  customerFileSource: string | null;
  /** rows in it now, by `audienceRowKey` (absent in "counts" mode) */
  members: Set<string>;
  /** rows ever received by POST and DELETE (duplicates included) */
  received: number;
  removedReceived: number;
};

export type FakeAudienceUpload = { audienceId: string; method: "POST" | "DELETE"; token: string | null; schema: unknown; rows: string[][]; sessionId: string };
export type FakeAudienceStats = {
  /** accepted requests of the users edge */
  requests: number;
  /** rows of each accepted request, in order */
  rowsPerRequest: number[];
  maxRows: number;
  rowsAdded: number;
  rowsRemoved: number;
  /** requests answered with an error (scripted, validation or permissions) */
  refused: number;
};

/** A multi-key row as the fake keeps it in an audience: its digests joined by "|". */
export const audienceRowKey = (row: readonly string[]) => row.join("|");

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

/**
 * Meta's throttling answers, for scriptAudienceUsers: "user" is (#17) User request limit reached, "ads" the ads-management
 * business-use-case limit (#80003, subcode 2446079) [unverified: codes as Meta's rate-limit docs list them, the subcode
 * as integrators report it]; `retryAfterSec` adds a Retry-After header.
 */
export function graphRateLimit(kind: "user" | "ads" = "user", retryAfterSec?: number): FakeResponse {
  const base =
    kind === "user"
      ? graphError(400, 17, "User request limit reached", { type: "OAuthException", subcode: 2446079 })
      : graphError(400, 80003, "There have been too many calls to this ad-account. Wait a bit and try again.", { type: "OAuthException", subcode: 2446079 });
  return retryAfterSec === undefined ? base : { ...base, headers: { "retry-after": String(retryAfterSec) } };
}

/** An HTTP 500 as Graph answers an unexpected failure (code 2 is "service temporarily unavailable"). */
export const graphServerError = (): FakeResponse => graphError(500, 2, "An unexpected error has occurred. Please retry your request later.");

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

/** Meta's cap on rows per /{audience-id}/users request. */
const FAKE_AUDIENCE_BATCH_MAX = 10_000;
const DIGEST_OR_EMPTY = /^(?:[a-f0-9]{64}|)$/;

/** A request's parameters as Meta reads them: a JSON body, or a form body, then the query string (later ones do not override). */
function graphParams(req: FakeRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (req.json && typeof req.json === "object" && !Array.isArray(req.json)) Object.assign(out, req.json);
  else if (req.body && String(req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(req.body)) out[k] ??= v;
  }
  for (const [k, v] of req.query) out[k] ??= v;
  return out;
}

export async function startFakeGraph(
  opts: {
    port?: number;
    /** "counts": keep only counters of the audience users edge (no rows, no member sets), for million-row benches */
    audienceLog?: "full" | "counts";
  } = {},
): Promise<FakeGraph> {
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
  const adAccounts = new Map<string, FakeAdAccount>();
  const audiences = new Map<string, FakeCustomAudience>();
  const audienceScript: (FakeResponse | "pass")[] = [];
  const audienceStats: FakeAudienceStats = { requests: 0, rowsPerRequest: [], maxRows: 0, rowsAdded: 0, rowsRemoved: 0, refused: 0 };
  const audienceUploads: FakeAudienceUpload[] = [];
  const keepRows = (opts.audienceLog ?? "full") === "full";
  let nextAudience = 238_000_000_000_000;
  let nextSession = 0;

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

  // ---- Custom Audiences (customer list), docs/meta-custom-audiences.md ----
  // [unverified] the exact status/code/message of the permission and terms failures: Meta answers an OAuthException
  // (#200) naming ads_management when the token lacks it, and (#2663) "Terms of service has not been accepted" with
  // the account's terms link (seen in Meta's SDK issue threads); the codes are kept as seen there.
  const missingAdsManagement = () => graphError(403, 200, "(#200) Requires ads_management permission to manage the object", { type: "OAuthException" });
  const termsNotAccepted = (act: string) =>
    graphError(400, 2663, `(#2663) Terms of service has not been accepted. To accept, go to https://www.facebook.com/customaudiences/app/tos/?act=${act}`, {
      type: "OAuthException",
    });
  /** The account's refusal for this token, or null when it may go on. */
  const accountRefusal = (account: FakeAdAccount | undefined, objectId: string, token: string | null): FakeResponse | null => {
    if (!account) return noObject(objectId);
    if (token !== account.token) return expiredToken();
    if (account.adsManagement === false) return missingAdsManagement();
    if (account.termsAccepted === false) return termsNotAccepted(account.id);
    return null;
  };
  const audienceBody = (a: FakeCustomAudience, rawFields: string) => {
    const size = keepRows ? a.members.size : Math.max(0, a.received - a.removedReceived);
    const all: Record<string, unknown> = {
      id: a.id,
      name: a.name,
      description: a.description,
      subtype: a.subtype,
      customer_file_source: a.customerFileSource,
      // Meta reports ranges, never exact sizes; the fake reports the rows it holds (0 below Meta's 1,000 floor is not modelled)
      approximate_count_lower_bound: size,
      approximate_count_upper_bound: size,
      operation_status: { code: 200, description: "Normal" },
    };
    const fields = [...parseFields(rawFields || "id").keys()];
    return Object.fromEntries(Object.entries(all).filter(([k]) => k === "id" || fields.includes(k)));
  };

  // the account's audiences readable by the token; pages of `limit` (default 25) with cursors.after = the next index
  server.on("GET", /^\/v\d+\.\d+\/act_(\d+)\/customaudiences$/, (req, match) => {
    const act = match[1]!;
    const refused = accountRefusal(adAccounts.get(act), `act_${act}`, bearer(req.headers));
    if (refused) return refused;
    const all = [...audiences.values()].filter((a) => a.adAccountId === act);
    const start = Number(req.query.get("after") ?? 0);
    const limit = Number(req.query.get("limit") ?? 25);
    const data = all.slice(start, start + limit).map((a) => audienceBody(a, req.query.get("fields") ?? "id"));
    const more = start + limit < all.length;
    return {
      json: {
        data,
        paging: {
          cursors: { before: String(start), after: String(start + data.length) },
          ...(more ? { next: `${server.url}${req.path}?after=${start + data.length}&limit=${limit}` } : {}),
        },
      },
    };
  });

  server.on("POST", /^\/v\d+\.\d+\/act_(\d+)\/customaudiences$/, (req, match) => {
    const act = match[1]!;
    const refused = accountRefusal(adAccounts.get(act), `act_${act}`, bearer(req.headers));
    if (refused) return refused;
    const p = graphParams(req);
    const str = (k: string) => (typeof p[k] === "string" && (p[k] as string).trim() ? (p[k] as string) : null);
    if (!str("name")) return graphError(400, 100, "(#100) The parameter name is required", { type: "OAuthException" });
    const subtype = (str("subtype") ?? "CUSTOM").toUpperCase();
    const source = str("customer_file_source");
    // [Meta] a customer-file audience must say where its data came from
    if (subtype === "CUSTOM" && !source) {
      return graphError(400, 100, "(#100) The parameter customer_file_source is required", { subcode: 1870062, type: "OAuthException" });
    }
    if (source && !["USER_PROVIDED_ONLY", "PARTNER_PROVIDED_ONLY", "BOTH_USER_AND_PARTNER_PROVIDED"].includes(source)) {
      return graphError(
        400,
        100,
        "(#100) Param customer_file_source must be one of {USER_PROVIDED_ONLY, PARTNER_PROVIDED_ONLY, BOTH_USER_AND_PARTNER_PROVIDED}",
        {
          type: "OAuthException",
        },
      );
    }
    const id = String(++nextAudience);
    audiences.set(id, {
      id,
      adAccountId: act,
      name: str("name")!,
      description: str("description"),
      subtype,
      customerFileSource: source,
      members: new Set(),
      received: 0,
      removedReceived: 0,
    });
    return { json: { id } };
  });

  const usersEdge =
    (method: "POST" | "DELETE") =>
    (req: FakeRequest, match: RegExpMatchArray): FakeResponse => {
      const next = audienceScript.shift();
      if (next && next !== "pass") {
        audienceStats.refused++;
        return next;
      }
      const id = match[1]!;
      const audience = audiences.get(id);
      const token = bearer(req.headers);
      const refused = audience ? accountRefusal(adAccounts.get(audience.adAccountId), id, token) : noObject(id);
      if (refused) {
        audienceStats.refused++;
        return refused;
      }
      const fail = (message: string, subcode?: number) => {
        audienceStats.refused++;
        return graphError(400, 100, message, { subcode, type: "OAuthException" });
      };
      const p = graphParams(req);
      let payload = p.payload;
      // Meta's SDKs send payload as a JSON string in a form field; a JSON body may carry it as an object
      if (typeof payload === "string") {
        try {
          payload = JSON.parse(payload);
        } catch {
          return fail("(#100) param payload must be a JSON object");
        }
      }
      if (!payload || typeof payload !== "object") return fail("(#100) The parameter payload is required");
      const { schema, data, session } = payload as { schema?: unknown; data?: unknown; session?: { session_id?: unknown } };
      const keys = typeof schema === "string" ? [schema] : schema;
      if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string")) return fail("(#100) Invalid schema");
      if (!Array.isArray(data) || data.length === 0) return fail("(#100) The parameter data is required");
      if (data.length > FAKE_AUDIENCE_BATCH_MAX) {
        return fail(`(#100) Too many entries in the payload: at most ${FAKE_AUDIENCE_BATCH_MAX} are allowed per request`);
      }
      const rows: string[][] = [];
      let invalid = 0;
      for (const raw of data) {
        const row = typeof schema === "string" ? [raw] : raw;
        if (!Array.isArray(row) || row.length !== keys.length) return fail("(#100) Each row of data must have one value per schema key");
        // [Meta] hashed values only: 64 lowercase hex, or "" for an unknown key (a row of only "" counts as invalid)
        if (!row.every((v) => typeof v === "string" && DIGEST_OR_EMPTY.test(v))) return fail("(#100) Data must be SHA-256 hashed (64 hex characters)");
        if (row.every((v) => v === "")) invalid++;
        else rows.push(row as string[]);
      }
      for (const row of rows) {
        if (!keepRows) continue;
        if (method === "POST") audience!.members.add(audienceRowKey(row));
        else audience!.members.delete(audienceRowKey(row));
      }
      if (method === "POST") {
        audience!.received += data.length;
        audienceStats.rowsAdded += data.length;
      } else {
        audience!.removedReceived += data.length;
        audienceStats.rowsRemoved += data.length;
      }
      audienceStats.requests++;
      audienceStats.rowsPerRequest.push(data.length);
      audienceStats.maxRows = Math.max(audienceStats.maxRows, data.length);
      const sessionId = typeof session?.session_id === "string" || typeof session?.session_id === "number" ? String(session.session_id) : String(++nextSession);
      if (keepRows) audienceUploads.push({ audienceId: id, method, token, schema, rows, sessionId });
      return {
        json: { audience_id: id, session_id: sessionId, num_received: data.length, num_invalid_entries: invalid, invalid_entry_samples: {} },
      };
    };
  server.on("POST", /^\/v\d+\.\d+\/(\d+)\/users$/, usersEdge("POST"));
  server.on("DELETE", /^\/v\d+\.\d+\/(\d+)\/users$/, usersEdge("DELETE"));

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
    addAdAccount: (a) => void adAccounts.set(a.id.replace(/^act_/, ""), { ...a, id: a.id.replace(/^act_/, "") }),
    addCustomAudience: (a) => {
      const id = a.id ?? String(++nextAudience);
      audiences.set(id, {
        id,
        adAccountId: a.adAccountId.replace(/^act_/, ""),
        name: a.name,
        description: a.description ?? null,
        subtype: "CUSTOM",
        customerFileSource: "USER_PROVIDED_ONLY",
        members: new Set(),
        received: 0,
        removedReceived: 0,
      });
      return id;
    },
    customAudience: (id) => audiences.get(id),
    scriptAudienceUsers: (...responses) => void audienceScript.push(...responses),
    audienceStats,
    audienceUploads,
  };
}
