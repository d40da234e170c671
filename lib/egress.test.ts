// Which addresses and hosts a user-entered provider URL may reach, and the socket-level check: a name that
// resolves to this machine is refused before a connection is made, even when the URL passed the host check.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EgressPolicy, checkEgressTarget, checkEgressUrl, forbiddenAddressReason, guardedLookup, parseHostRules } from "./egress";
import { outboundRequest } from "./outbound-http";
import { GREEN_API_PROVIDER_HOSTS } from "./whatsapp/green-client";

const green = (trusted = "", resolve?: EgressPolicy["resolve"]): EgressPolicy => ({
  provider: GREEN_API_PROVIDER_HOSTS,
  trusted: parseHostRules(trusted),
  ...(resolve ? { resolve } : {}),
});
const resolvesTo =
  (...addresses: string[]): EgressPolicy["resolve"] =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("forbiddenAddressReason", () => {
  it("refuses loopback, private, shared, link-local, metadata, unspecified, multicast and reserved addresses", () => {
    const refused = [
      "127.0.0.1",
      "127.8.9.10",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "100.64.0.1",
      "100.127.255.254",
      "169.254.169.254",
      "169.254.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "239.255.255.250",
      "240.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "fc00::1",
      "fd00:ec2::254",
      "fe80::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:a9fe:a9fe",
      "64:ff9b::10.0.0.1",
      "2002:7f00:1::1",
      "2001:0:4136:e378::1",
    ];
    for (const a of refused) expect(forbiddenAddressReason(a), a).not.toBeNull();
    expect(forbiddenAddressReason("169.254.169.254")).toContain("metadata");
    expect(forbiddenAddressReason("::ffff:127.0.0.1")).toBe("a loopback address");
  });
  it("lets public addresses through", () => {
    for (const a of ["203.0.113.9", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2a00:1450:4001::200e", "::ffff:8.8.8.8"])
      expect(forbiddenAddressReason(a), a).toBeNull();
  });
});

describe("checkEgressUrl", () => {
  it("allows Green's hosts over https on 443 only", () => {
    for (const url of ["https://api.green-api.com", "https://7103.api.greenapi.com/", "https://API.GREENAPI.COM.", "https://7103.api.greenapi.com:443"]) {
      expect(checkEgressUrl(url, green()), url).toMatchObject({ ok: true, trusted: false });
    }
    for (const url of [
      "http://api.green-api.com",
      "https://api.green-api.com:8443",
      "https://green-api.com",
      "https://api.green-api.com.evil.example",
      "https://evilapi.greenapi.com",
      "ftp://api.green-api.com",
      "https://u:p@api.green-api.com",
      "not a url",
    ]) {
      expect(checkEgressUrl(url, green()), url).toMatchObject({ ok: false });
    }
  });
  it("refuses IP literals (in any spelling) unless the operator listed them", () => {
    for (const url of [
      "http://127.0.0.1:8080",
      "http://2130706433",
      "http://0x7f.1",
      "http://[::1]",
      "http://[::ffff:169.254.169.254]",
      "http://203.0.113.9",
    ]) {
      expect(checkEgressUrl(url, green()), url).toMatchObject({ ok: false });
    }
  });
  it("trusts the operator's hosts: exact, *.domain, and :port when given", () => {
    const policy = green("127.0.0.1, *.gw.internal, [::1]:9000, gateway.local:8080");
    expect(checkEgressUrl("http://127.0.0.1:4010/x", policy)).toMatchObject({ ok: true, trusted: true });
    expect(checkEgressUrl("http://a.gw.internal", policy)).toMatchObject({ ok: true, trusted: true });
    expect(checkEgressUrl("http://gw.internal", policy)).toMatchObject({ ok: false });
    expect(checkEgressUrl("http://[::1]:9000", policy)).toMatchObject({ ok: true });
    expect(checkEgressUrl("http://[::1]:9001", policy)).toMatchObject({ ok: false });
    expect(checkEgressUrl("http://gateway.local:8080", policy)).toMatchObject({ ok: true });
    expect(checkEgressUrl("http://gateway.local", policy)).toMatchObject({ ok: false });
  });
});

describe("parseHostRules", () => {
  it("reads hosts, wildcards, IPs and ports, and refuses anything else", () => {
    expect(parseHostRules(" gw.example.com,*.example.org 10.0.0.5:8080 [fd00::1]:443 ")).toEqual([
      { host: "gw.example.com", wildcard: false, port: null },
      { host: "example.org", wildcard: true, port: null },
      { host: "10.0.0.5", wildcard: false, port: 8080 },
      { host: "fd00::1", wildcard: false, port: 443 },
    ]);
    for (const bad of ["http://gw.example.com", "gw.example.com/path", "*.10.0.0.1", "999.1.1.1", "host:70000", "*"])
      expect(() => parseHostRules(bad), bad).toThrow();
  });
});

describe("checkEgressTarget", () => {
  it("refuses a Green host when any of its addresses is not public, and accepts one that does not resolve", async () => {
    expect(await checkEgressTarget("https://7103.api.greenapi.com", green("", resolvesTo("203.0.113.9", "10.0.0.1")))).toMatchObject({
      ok: false,
      reason: "7103.api.greenapi.com resolves to 10.0.0.1, a private address",
    });
    expect(await checkEgressTarget("https://7103.api.greenapi.com", green("", resolvesTo("203.0.113.9")))).toMatchObject({ ok: true });
    const missing = green("", async () => Promise.reject(Object.assign(new Error("nope"), { code: "ENOTFOUND" })));
    expect(await checkEgressTarget("https://7103.api.greenapi.com", missing)).toMatchObject({ ok: true });
  });
});

describe("guarded connections", () => {
  let server: http.Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end("{}"));
    server.on("connection", () => void (connections += 1));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("refuses a name that resolves to loopback before connecting, and connects to the checked address otherwise", async () => {
    const rebinding = green("", resolvesTo("127.0.0.1"));
    const error = await outboundRequest(`http://green.test:${port}/`, {
      method: "GET",
      headers: {},
      timeoutMs: 2_000,
      lookup: guardedLookup(rebinding, false),
    }).catch((e: unknown) => e);
    expect((error as { cause?: { code?: string; message?: string } }).cause).toMatchObject({
      code: "EGRESS_REFUSED",
      message: "green.test resolves to 127.0.0.1, a loopback address",
    });
    expect(connections).toBe(0);
    // the operator's own host: resolved without the address check, and the socket goes where the lookup said
    const res = await outboundRequest(`http://green.test:${port}/`, { method: "GET", headers: {}, timeoutMs: 2_000, lookup: guardedLookup(rebinding, true) });
    expect(res.status).toBe(200);
    expect(connections).toBe(1);
    // that kept-alive socket is never lent to a checked request for the same host
    const again = await outboundRequest(`http://green.test:${port}/`, {
      method: "GET",
      headers: {},
      timeoutMs: 2_000,
      lookup: guardedLookup(rebinding, false),
    }).catch((e: unknown) => e);
    expect((again as { cause?: { code?: string } }).cause?.code).toBe("EGRESS_REFUSED");
    expect(connections).toBe(1);
  });
});
