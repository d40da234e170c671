import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { clientAddress, installPeerAddressHeader, normaliseAddress, PEER_ADDRESS_HEADER } from "./client-address";

const h = (values: Record<string, string>) => new Headers(values);

describe("client address for the sign-in throttle", () => {
  it("without a trusted proxy ignores X-Forwarded-For (the client's to forge) and reads the stamped peer", () => {
    const headers = h({ "x-forwarded-for": "1.2.3.4", [PEER_ADDRESS_HEADER]: "::ffff:203.0.113.9" });
    expect(clientAddress(headers, { trustProxy: 0 })).toBe("203.0.113.9");
    expect(clientAddress(h({ "x-forwarded-for": "1.2.3.4" }), { trustProxy: 0 })).toBeNull();
  });

  it("behind n trusted proxies takes the n-th X-Forwarded-For entry from the right", () => {
    const headers = h({ "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.2", [PEER_ADDRESS_HEADER]: "10.0.0.3" });
    expect(clientAddress(headers, { trustProxy: 1 })).toBe("10.0.0.2");
    expect(clientAddress(headers, { trustProxy: 2 })).toBe("198.51.100.7");
    expect(clientAddress(h({ "x-forwarded-for": "198.51.100.7" }), { trustProxy: 2 })).toBeNull();
  });

  it("accepts only IP addresses", () => {
    expect(normaliseAddress("[2001:DB8::1]")).toBe("2001:db8::1");
    expect(normaliseAddress("evil; drop table")).toBeNull();
    expect(normaliseAddress("")).toBeNull();
  });

  it("the installed hook overwrites a client-sent peer header with the TCP peer address", async () => {
    installPeerAddressHeader();
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers[PEER_ADDRESS_HEADER] as string | undefined);
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6", "x-forwarded-for": "6.6.6.6" } });
    await new Promise((resolve) => server.close(resolve));
    expect(seen).toEqual(["127.0.0.1"]);
  });
});
