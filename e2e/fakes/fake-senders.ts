// The send side of the providers, added to the fake Graph / Green API servers: POST /{phone-number-id}/messages
// (Cloud API) and POST /waInstance{id}/sendMessage/{token} (Green API). Every accepted send is recorded
// with its time; answers can be scripted (errors, delays) per server.
import type { FakeResponse, FakeServer } from "./http-fake";
import { bearer, graphError } from "./fake-graph";

/** `method`: Green API's method (sendMessage, sendFileByUrl); absent for Cloud API sends. */
export type RecordedSend = { provider: "cloud" | "green"; sender: string; body: Record<string, unknown>; at: number; id: string; method?: string };
export type FakeSends = { sends: RecordedSend[]; script(...responses: FakeResponse[]): void };
/** A Cloud API read receipt (`{ messaging_product, status: "read", message_id }` to POST /{phone-number-id}/messages). */
export type RecordedReadReceipt = { sender: string; messageId: string; at: number };

let seq = 0;

/** Accepts Cloud API sends for these numbers (id → token); `delayMs`: how long each answer takes. */
export function serveCloudMessages(
  graph: FakeServer,
  numbers: Record<string, string>,
  { delayMs = 0 }: { delayMs?: number } = {},
): FakeSends & { readReceipts: RecordedReadReceipt[] } {
  const sends: RecordedSend[] = [];
  const readReceipts: RecordedReadReceipt[] = [];
  const scripted: FakeResponse[] = [];
  graph.on("POST", /^\/v\d+\.\d+\/(\d+)\/messages$/, (req, match) => {
    const next = scripted.shift();
    if (next) return next;
    const id = match[1]!;
    if (!(id in numbers))
      return graphError(400, 100, `Unsupported post request. Object with ID '${id}' does not exist`, { subcode: 33, type: "GraphMethodException" });
    if (bearer(req.headers) !== numbers[id]) return graphError(401, 190, "Error validating access token");
    const body = req.json as Record<string, unknown>;
    // a read receipt is not a message: Meta answers `{ success: true }`
    if (body.status === "read") {
      readReceipts.push({ sender: id, messageId: String(body.message_id), at: Date.now() });
      return { json: { success: true } };
    }
    const wamid = `wamid.fake-${(++seq).toString(36)}`;
    sends.push({ provider: "cloud", sender: id, body, at: Date.now(), id: wamid });
    return {
      json: { messaging_product: "whatsapp", contacts: [{ input: body.to, wa_id: String(body.to).replace(/\D/g, "") }], messages: [{ id: wamid }] },
      delayMs,
    };
  });
  return { sends, readReceipts, script: (...r) => void scripted.push(...r) };
}

/** Accepts Green API sendMessage and sendFileByUrl for these instances (id → token); `delayMs`: how long each answer takes. */
export function serveGreenSendMessage(green: FakeServer, instances: Record<string, string>, { delayMs = 0 }: { delayMs?: number } = {}): FakeSends {
  const sends: RecordedSend[] = [];
  const scripted: FakeResponse[] = [];
  green.on("POST", /^\/waInstance(\d+)\/(sendMessage|sendFileByUrl)\/([^/]+)$/, (req, match) => {
    const next = scripted.shift();
    if (next) return next;
    if (instances[match[1]!] !== match[3]) return { status: 401, text: "Unauthorized" };
    const id = `3EB0${(++seq).toString(16).toUpperCase().padStart(16, "0")}`;
    sends.push({ provider: "green", sender: match[1]!, body: req.json as Record<string, unknown>, at: Date.now(), id, method: match[2]! });
    return { json: { idMessage: id }, delayMs };
  });
  return { sends, script: (...r) => void scripted.push(...r) };
}
