// Where the server may send a request that a user's input points at (today: a Green API URL). Only to the
// provider's own hosts, plus the hosts the operator listed (GREEN_API_HOSTS); never to loopback, private,
// link-local, metadata, unspecified or multicast addresses unless the operator listed that host. Addresses
// are checked after DNS resolution, and the connection goes to the address that was checked (the lookup
// given to the socket is this one), so a DNS answer that changes between check and connect cannot slip by.
import dns from "node:dns";
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from "node:dns";
import net from "node:net";

/** `host`, `*.domain` (any subdomain) or an IP literal, each optionally `:port` (IPv6 as `[::1]:8080`). */
export type HostRule = { host: string; wildcard: boolean; port: number | null };

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export type EgressPolicy = {
  /** the provider's own hosts: HTTPS on the default port only, addresses checked after resolution */
  provider: readonly HostRule[];
  /** the operator's explicit allowlist: HTTP or HTTPS, any address (a self-hosted gateway may be on a private network) */
  trusted: readonly HostRule[];
  /** DNS resolution (tests substitute their own); every address it returns must pass */
  resolve?: Resolve;
};

export type EgressVerdict = { ok: true; url: URL; trusted: boolean } | { ok: false; reason: string };

const HOST_RULE = /^(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i;

/** Parses one allowlist entry; null when it is not a host pattern. */
export function parseHostRule(entry: string): HostRule | null {
  const m = HOST_RULE.exec(entry.trim().toLowerCase());
  if (!m) return null;
  const wildcard = m[1] !== undefined;
  let host = m[2]!;
  if (host.startsWith("[")) host = host.slice(1, -1);
  if (host.includes(":") && net.isIPv6(host) === false) return null;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) && !net.isIPv4(host)) return null;
  if (wildcard && net.isIP(host) !== 0) return null;
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65_535)) return null;
  return { host, wildcard, port };
}

/** A rule back as the text it was read from (`*.example.com`, `[::1]:8080`). */
export function formatHostRule(rule: HostRule): string {
  return `${rule.wildcard ? "*." : ""}${rule.host.includes(":") ? `[${rule.host}]` : rule.host}${rule.port === null ? "" : `:${rule.port}`}`;
}

/** Parses a comma- or space-separated list of host patterns; throws on the first bad entry. */
export function parseHostRules(list: string): HostRule[] {
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const rule = parseHostRule(entry);
      if (!rule) throw new Error(`"${entry}" is not a host, *.domain or IP address (optionally with :port)`);
      return rule;
    });
}

const bareHost = (hostname: string) =>
  hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

function matches(rule: HostRule, host: string, port: number): boolean {
  const hostOk = rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
  return hostOk && (rule.port === null || rule.port === port);
}

// Address ranges no user-entered URL may reach (RFC 6890 special-purpose blocks that are not the public internet).
const blocked = new net.BlockList();
const V4: [string, number, string][] = [
  ["0.0.0.0", 8, "an unspecified address"],
  ["10.0.0.0", 8, "a private address"],
  ["100.64.0.0", 10, "a shared (carrier-grade NAT) address"],
  ["127.0.0.0", 8, "a loopback address"],
  ["169.254.0.0", 16, "a link-local address (cloud metadata lives here)"],
  ["172.16.0.0", 12, "a private address"],
  ["192.0.0.0", 24, "a reserved address"],
  ["192.168.0.0", 16, "a private address"],
  ["198.18.0.0", 15, "a reserved address"],
  ["224.0.0.0", 4, "a multicast address"],
  ["240.0.0.0", 4, "a reserved address"],
];
const V6: [string, number, string][] = [
  ["::", 128, "an unspecified address"],
  ["::1", 128, "a loopback address"],
  ["fc00::", 7, "a private address (cloud metadata lives here too)"],
  ["fe80::", 10, "a link-local address"],
  ["fec0::", 10, "a site-local address"],
  ["ff00::", 8, "a multicast address"],
  ["100::", 64, "a discard address"],
  ["2001::", 32, "a tunnelling (Teredo) address"],
  ["2001:db8::", 32, "a documentation address"],
  ["2002::", 16, "a tunnelling (6to4) address"],
];
for (const [a, p] of V4) blocked.addSubnet(a, p, "ipv4");
for (const [a, p] of V6) blocked.addSubnet(a, p, "ipv6");
const reasons = { v4: V4, v6: V6 };

function inSubnet(address: string, base: string, prefix: number, type: "ipv4" | "ipv6"): boolean {
  const one = new net.BlockList();
  one.addSubnet(base, prefix, type);
  return one.check(address, type);
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedV4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted && net.isIPv4(dotted[1]!)) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why this address may not be reached (null when it is a public unicast address). */
export function forbiddenAddressReason(address: string): string | null {
  const family = net.isIP(address);
  if (family === 0) return "not an IP address";
  if (family === 4) {
    if (!blocked.check(address, "ipv4")) return address === "255.255.255.255" ? "a broadcast address" : null;
    return reasons.v4.find(([a, p]) => inSubnet(address, a, p, "ipv4"))?.[2] ?? "a reserved address";
  }
  const v4 = embeddedV4(address);
  if (v4) return forbiddenAddressReason(v4);
  if (!blocked.check(address, "ipv6")) return null;
  return reasons.v6.find(([a, p]) => inSubnet(address, a, p, "ipv6"))?.[2] ?? "a reserved address";
}

/** The host part of the check, without DNS: scheme, credentials, and whether the host is allowed at all. */
export function checkEgressUrl(raw: string, policy: EgressPolicy): EgressVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "The URL cannot be read" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "Only http and https URLs are allowed" };
  if (url.username || url.password) return { ok: false, reason: "The URL cannot contain a user name or password" };
  const host = bareHost(url.hostname);
  const port = defaultPort(url);
  if (policy.trusted.some((r) => matches(r, host, port))) return { ok: true, url, trusted: true };
  if (net.isIP(host) !== 0) {
    const why = forbiddenAddressReason(host);
    return { ok: false, reason: why ? `${host} is ${why}` : `${host} is not one of the provider's hosts` };
  }
  if (!policy.provider.some((r) => matches(r, host, port))) return { ok: false, reason: `${host} is not one of the provider's hosts` };
  if (url.protocol !== "https:") return { ok: false, reason: `${host} is only reached over https` };
  if (port !== 443) return { ok: false, reason: `${host} is only reached on the standard https port` };
  return { ok: true, url, trusted: false };
}

const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Resolves a host and refuses it when any of its addresses is not a public one. */
async function resolveChecked(hostname: string, resolve: Resolve): Promise<LookupAddress[]> {
  const host = bareHost(hostname);
  const addresses = net.isIP(host) !== 0 ? [{ address: host, family: net.isIP(host) }] : await resolve(host);
  if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: "ENOTFOUND" });
  for (const a of addresses) {
    const why = forbiddenAddressReason(a.address);
    if (why) throw new EgressRefused(`${host} resolves to ${a.address}, ${why}`);
  }
  return addresses;
}

/** A request refused before any connection was made. */
export class EgressRefused extends Error {
  readonly code = "EGRESS_REFUSED";
  constructor(message: string) {
    super(message);
    this.name = "EgressRefused";
  }
}

export const isEgressRefused = (e: unknown): e is EgressRefused =>
  e instanceof EgressRefused || (e as { code?: string })?.code === "EGRESS_REFUSED" || (e as { cause?: { code?: string } })?.cause?.code === "EGRESS_REFUSED";

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** `trusted`: resolves an operator-listed host (no address check); its sockets are pooled apart from checked ones. */
export type GuardedLookup = ((hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => void) & { trusted: boolean };

/**
 * The `lookup` a socket uses to reach a provider host: resolve, check every address, hand back only checked
 * addresses. Trusted hosts (the operator's list) are resolved without the address check.
 */
export function guardedLookup(policy: EgressPolicy, trusted: boolean): GuardedLookup {
  const resolve = policy.resolve ?? systemResolve;
  const lookup = (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => {
    const found = trusted ? resolve(bareHost(hostname)) : resolveChecked(hostname, resolve);
    found.then(
      (addresses) => {
        const family = typeof options === "object" ? options.family : undefined;
        const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (wanted.length === 0) return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: "ENOTFOUND" }), []);
        if (typeof options === "object" && options.all) return callback(null, wanted);
        callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (e: NodeJS.ErrnoException) => callback(e, []),
    );
  };
  return Object.assign(lookup, { trusted });
}

/**
 * The whole check before a user-entered URL is saved or called: host allowed, then every address it resolves
 * to is public (unless the operator trusts the host). A name that does not resolve is not refused here: nothing
 * can be reached through it, and the connection check says so.
 */
export async function checkEgressTarget(raw: string, policy: EgressPolicy): Promise<EgressVerdict> {
  const verdict = checkEgressUrl(raw, policy);
  if (!verdict.ok || verdict.trusted) return verdict;
  try {
    await resolveChecked(verdict.url.hostname, policy.resolve ?? systemResolve);
  } catch (e) {
    if (e instanceof EgressRefused) return { ok: false, reason: e.message };
  }
  return verdict;
}
