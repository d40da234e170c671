// The client address a request came from, for the per-address sign-in throttle.
//
// Next.js gives handlers no socket. `next start` fills X-Forwarded-For with the peer address only
// when the client did not send one, so without a proxy that header is the client's to forge. Hence:
// - TRUST_PROXY=0 (default off Vercel): installPeerAddressHeader() (instrumentation.ts) stamps the
//   TCP peer address into PEER_ADDRESS_HEADER on every request, overwriting whatever the client sent;
// - TRUST_PROXY=n (behind n proxies that each append to X-Forwarded-For; Vercel: 1): the n-th entry
//   from the right, the address the outermost trusted proxy saw.
import http from "node:http";
import { isIP } from "node:net";

export const PEER_ADDRESS_HEADER = "x-clicktrail-peer-address";

type HeaderSource = { get(name: string): string | null };

/** Normalises an address (IPv4-mapped IPv6 → IPv4); null when it is not an IP address. */
export function normaliseAddress(raw: string | null | undefined): string | null {
  const value = raw?.trim().replace(/^\[(.*)\]$/, "$1");
  if (!value) return null;
  const v4 = value.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (v4) return v4;
  return isIP(value) ? value.toLowerCase() : null;
}

export function clientAddress(headers: HeaderSource, { trustProxy }: { trustProxy: number }): string | null {
  if (trustProxy <= 0) return normaliseAddress(headers.get(PEER_ADDRESS_HEADER));
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return normaliseAddress(hops[hops.length - trustProxy]);
}

const PATCHED = Symbol.for("clicktrail.peerAddressHeader");

/**
 * Makes every HTTP server of this process write the TCP peer address into PEER_ADDRESS_HEADER
 * before any handler sees the request (a client-sent header of that name is overwritten).
 */
export function installPeerAddressHeader(): void {
  const proto = http.Server.prototype as unknown as Record<symbol, boolean> & { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  if (proto[PATCHED]) return;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage;
      req.headers[PEER_ADDRESS_HEADER] = req.socket?.remoteAddress ?? "";
    }
    return emit.call(this, event, ...args);
  };
  proto[PATCHED] = true;
}
