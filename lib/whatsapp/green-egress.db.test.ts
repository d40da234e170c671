// Attacks on the Green API URL, the one address a user types that the server then calls: pointed at this
// machine, the private network or the cloud metadata service (directly, or through a name that resolves
// there), through a redirect, or answered with a huge body. Real HTTP servers on 127.0.0.1 stand in for
// the victims and count every connection they get; the numbers and the queue live in a real database.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { leads, outboundMessages, templates, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { encryptSecret } from "@/lib/crypto";
import { type DripDeps, runDrip } from "@/lib/drip/dispatch";
import { enrollLead } from "@/lib/drip/enroll";
import { listQueue, queueRowJson } from "@/lib/drip/queue";
import { type EgressPolicy, parseHostRules } from "@/lib/egress";
import { checkNumberConnection } from "@/lib/numbers/check-connection";
import { connectNumber, editNumber } from "@/lib/numbers/connect";
import type { NumberServiceDeps } from "@/lib/numbers/deps";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { greenEgressPolicy } from "./green-client";

const encryptionKey = Buffer.alloc(32, 23).toString("base64");
const now = new Date("2031-06-01T09:00:00.000Z");

type Victim = { url: string; port: number; connections: () => number; hits: string[]; close: () => Promise<void> };

/** A server that would answer like an authorized Green API instance, counting every connection it gets. */
async function startVictim(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ stateInstance: "authorized", idMessage: "LEAKED", access_token: "EAAG-tenant-a-secret" }));
  },
): Promise<Victim> {
  let connections = 0;
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    answer(req, res);
  });
  server.on("connection", () => void (connections += 1));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A resolver that answers every name with these addresses (a DNS record the attacker controls). */
const resolvesTo =
  (...addresses: string[]): EgressPolicy["resolve"] =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe.each(testDrivers)("Green API URL egress (%s)", (kind) => {
  let t: TestDb;
  let victim: Victim;
  let tenantId = "";
  let seq = 0;

  const deps = (greenEgress?: EgressPolicy): NumberServiceDeps => ({
    keys: { encryptionKey, appUrl: "http://x", ...(greenEgress ? { greenEgress } : {}) },
    connection: {
      encryptionKey,
      graph: { base: "http://127.0.0.1:9", version: "v24.0", timeoutMs: 1_000 },
      ...(greenEgress ? { greenEgress } : {}),
      now: () => now,
    },
  });
  const greenInput = (greenApiUrl: string) =>
    numberFormSchema.parse({
      provider: "green",
      label: `Green ${(seq += 1)}`,
      phoneE164: `+1555078${String(4000 + seq)}`,
      greenApiUrl,
      greenInstanceId: `71030${String(seq).padStart(5, "0")}`,
      greenApiToken: "green-token",
    });
  /** A Green number stored as it is (a row saved before the check existed, or a name that resolved elsewhere then). */
  async function storedNumber(greenApiUrl: string) {
    const [row] = await t.db
      .insert(whatsappNumbers)
      .values({
        tenantId,
        provider: "green",
        label: `Stored ${(seq += 1)}`,
        phoneE164: `+1555079${String(4000 + seq)}`,
        verifyToken: `verify-token-${kind}-${seq}-xxxx`,
        greenApiUrl,
        greenInstanceId: "7103000001",
        greenTokenEnc: encryptSecret("green-token", encryptionKey),
      })
      .returning();
    return row!;
  }
  /** One due drip row for a new lead on this number. */
  async function dueRow(numberId: string) {
    const [lead] = await t.db
      .insert(leads)
      .values({ tenantId, name: "Anna Petrova", phone: `+1415300${String(1000 + (seq += 1))}`, numberId })
      .returning();
    await enrollLead(t.db, { tenantId, leadId: lead!.id, now });
    return lead!.id;
  }
  const rowOf = async (leadId: string) => (await t.db.select().from(outboundMessages).where(eq(outboundMessages.leadId, leadId)))[0]!;
  const drip = (greenEgress?: EgressPolicy) => {
    const d: DripDeps = {
      encryptionKey,
      graph: { base: "http://127.0.0.1:9", version: "v24.0" },
      greenTimeoutMs: 2_000,
      ...(greenEgress ? { greenEgress } : {}),
    };
    return runDrip(t.db, d, { now: () => now, budgetMs: 5_000, random: () => 0.5 });
  };

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Tenant B" })).id;
    await t.db.insert(templates).values({ tenantId, name: "welcome", title: "Welcome", content: "Hi {{first_name}}", delayDays: 0 });
  });
  beforeEach(async () => {
    victim = await startVictim();
  });
  afterAll(async () => {
    await victim?.close();
    await t.cleanup();
  });

  describe("at save", () => {
    it("refuses loopback, private, link-local, metadata and foreign hosts, without a connection and without a row", async () => {
      const { port } = victim;
      const before = (await t.db.select().from(whatsappNumbers)).length;
      const urls = [
        `http://127.0.0.1:${port}`,
        `https://127.0.0.1:${port}`,
        `http://localhost:${port}`,
        `http://2130706433:${port}`, // 127.0.0.1 as one number
        `http://0.0.0.0:${port}`,
        `http://[::1]:${port}`,
        `http://[::ffff:127.0.0.1]:${port}`,
        "http://10.0.0.5",
        "https://172.20.1.1",
        "https://192.168.1.1",
        "https://100.64.0.1",
        "http://169.254.169.254/latest/meta-data/iam",
        "http://[fd00:ec2::254]",
        "http://[fe80::1]",
        "https://metadata.google.internal",
        "https://api.green-api.com.attacker.example",
        "https://attacker.example/?x=api.greenapi.com",
        "http://7103.api.greenapi.com", // Green's host, but not over https
        `https://7103.api.greenapi.com:${port}`, // Green's host on another port
        "https://user:pass@api.green-api.com",
      ];
      for (const url of urls) {
        await expect(connectNumber(t.db, deps(), { tenantId, input: greenInput(url) }), url).rejects.toMatchObject({
          code: "unprocessable",
          reason: "green_api_url_refused",
          details: { fieldErrors: { greenApiUrl: [expect.stringContaining("Green API URL refused")] } },
        });
      }
      expect(victim.connections()).toBe(0);
      expect((await t.db.select().from(whatsappNumbers)).length).toBe(before);
    });

    it("refuses a Green host name that resolves to loopback, a private or the metadata address", async () => {
      for (const address of ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fd00:ec2::254", "::ffff:192.168.0.1"]) {
        const policy = greenEgressPolicy([], resolvesTo("203.0.113.9", address)); // every address counts, not the first
        await expect(connectNumber(t.db, deps(policy), { tenantId, input: greenInput("https://7103.api.greenapi.com") }), address).rejects.toMatchObject({
          reason: "green_api_url_refused",
          message: expect.stringContaining(`resolves to ${address}`),
        });
      }
      expect(victim.connections()).toBe(0);
    });

    it("refuses the same URLs when an existing number is edited", async () => {
      const ok = greenEgressPolicy([], resolvesTo("203.0.113.9"));
      const { number } = await connectNumber(t.db, deps(ok), { tenantId, input: greenInput("https://7103.api.greenapi.com") });
      await expect(editNumber(t.db, deps(ok), { tenantId, id: number.id, patch: { greenApiUrl: victim.url } })).rejects.toMatchObject({
        reason: "green_api_url_refused",
      });
      await expect(editNumber(t.db, deps(ok), { tenantId, id: number.id, patch: { greenApiUrl: "http://169.254.169.254" } })).rejects.toMatchObject({
        reason: "green_api_url_refused",
      });
      const [row] = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.id, number.id));
      expect(row!.greenApiUrl).toBe("https://7103.api.greenapi.com");
      expect(victim.connections()).toBe(0);
    });

    it("accepts Green's own hosts and the operator's GREEN_API_HOSTS (which may be on loopback)", async () => {
      const publicGreen = greenEgressPolicy([], resolvesTo("203.0.113.9"));
      for (const url of ["https://api.green-api.com", "https://7103.api.greenapi.com", "https://1101.api.green-api.com/"]) {
        await expect(connectNumber(t.db, deps(publicGreen), { tenantId, input: greenInput(url) })).resolves.toBeTruthy();
      }
      const operator = greenEgressPolicy(parseHostRules("127.0.0.1"));
      const { check } = await connectNumber(t.db, deps(operator), { tenantId, input: greenInput(victim.url) });
      expect(check?.status).toBe("connected");
      expect(victim.hits).toEqual([expect.stringMatching(/^GET \/waInstance\d+\/getStateInstance\/green-token$/)]);
    });
  });

  describe("at send and at every connection check", () => {
    it("refuses a stored loopback or metadata URL: the row fails, the check reports it, nothing connects", async () => {
      const number = await storedNumber(victim.url);
      const metadata = await storedNumber("http://169.254.169.254");
      const leadId = await dueRow(number.id);
      const metaLead = await dueRow(metadata.id);
      expect(await drip()).toMatchObject({ sent: 0, failed: 2 });
      for (const id of [leadId, metaLead]) {
        const row = await rowOf(id);
        expect(row).toMatchObject({ status: "failed", errorCode: "refused", errorMessage: expect.stringContaining("Green API URL refused") });
        expect(Object.keys(row.providerResponse ?? {}).sort()).toEqual(["message", "transport"]);
      }
      const { result, row } = await checkNumberConnection(t.db, deps().connection, { tenantId, id: number.id });
      expect(result).toMatchObject({ status: "error", error: { kind: "refused" } });
      expect(row.lastError).toMatchObject({ kind: "refused", message: expect.stringContaining("127.0.0.1 is a loopback address") });
      expect(victim.connections()).toBe(0);
    });

    it("checks the address again at send: a Green name that now resolves to loopback is refused (DNS rebinding)", async () => {
      const number = await storedNumber("https://7103.api.greenapi.com"); // passed the check when it resolved to a public address
      const leadId = await dueRow(number.id);
      let lookups = 0;
      const rebound = greenEgressPolicy([], async () => {
        lookups += 1;
        return [{ address: "127.0.0.1", family: 4 }];
      });
      await drip(rebound);
      expect(await rowOf(leadId)).toMatchObject({ status: "failed", errorCode: "refused", errorMessage: expect.stringContaining("resolves to 127.0.0.1") });
      expect(lookups).toBe(1);
      expect(victim.connections()).toBe(0);
    });

    it("does not follow a redirect: the row fails with a clear message and the redirect's target gets nothing", async () => {
      const redirector = await startVictim((_req, res) => {
        res.writeHead(302, { location: `${victim.url}/steal` });
        res.end();
      });
      try {
        const operator = greenEgressPolicy(parseHostRules("127.0.0.1"));
        const number = await storedNumber(redirector.url);
        const leadId = await dueRow(number.id);
        await drip(operator);
        const row = await rowOf(leadId);
        expect(row).toMatchObject({
          status: "failed",
          errorCode: "redirect",
          errorMessage: expect.stringContaining("redirect (HTTP 302), which is not followed"),
        });
        expect(JSON.stringify(row.providerResponse)).not.toContain("steal");
        const { result } = await checkNumberConnection(t.db, { ...deps(operator).connection }, { tenantId, id: number.id });
        expect(result).toMatchObject({ status: "error", message: expect.stringContaining("not followed") });
        expect(redirector.hits).toHaveLength(2);
        expect(victim.connections()).toBe(0);
      } finally {
        await redirector.close();
      }
    });

    it("reads a huge answer only up to 64 KiB and keeps only the shown fields, clipped", async () => {
      let hugeFails = false;
      const secret = "EAAG-tenant-a-graph-token";
      const huge = await startVictim((req, res) => {
        const failing = req.url?.includes("/waInstance7103000001/") && hugeFails;
        res.writeHead(failing ? 400 : 200, { "content-type": "application/json" });
        if (failing) return res.end(JSON.stringify({ message: `bad chatId ${"m".repeat(40_000)}`, access_token: secret }));
        res.write(`{"idMessage":"${"x".repeat(1024)}","access_token":"${secret}","pad":"`);
        const chunk = "y".repeat(64 * 1024);
        let sent = 0;
        const more = () => {
          while (sent < 160 && res.write(chunk)) sent += 1; // 10 MiB unless the reader stops first
          if (sent < 160 && !res.destroyed)
            res.once("drain", () => {
              sent += 1;
              more();
            });
          else res.end('"}');
        };
        more();
      });
      try {
        const operator = greenEgressPolicy(parseHostRules("127.0.0.1"));
        const number = await storedNumber(huge.url);
        const big = await dueRow(number.id);
        await drip(operator);
        const bigRow = await rowOf(big);
        expect(bigRow).toMatchObject({ status: "pending", errorCode: "bad_response", errorMessage: "Green API answered with a body too large to read" });
        expect(bigRow.providerResponse).toEqual({ httpStatus: 200, message: "Green API answered with a body too large to read" });

        hugeFails = true;
        const bad = await dueRow(number.id);
        await drip(operator);
        const badRow = await rowOf(bad);
        expect(badRow).toMatchObject({ status: "failed", errorCode: "http_400" });
        expect(Object.keys(badRow.providerResponse!).sort()).toEqual(["httpStatus", "message"]);
        expect((badRow.providerResponse!.message as string).length).toBeLessThanOrEqual(500);
        expect(badRow.errorMessage!.length).toBeLessThan(600);
        for (const r of [bigRow, badRow]) expect(JSON.stringify(r)).not.toContain(secret);

        // a row stored before answers were trimmed: its whole body is not shown either
        const legacy = await dueRow(number.id);
        const whole = { idMessage: "BAE5", access_token: secret, error: { code: 100, message: "m".repeat(5_000), debug: secret } };
        await t.db
          .update(outboundMessages)
          .set({ status: "failed", providerResponse: whole, errorMessage: `x${"m".repeat(5_000)}` })
          .where(eq(outboundMessages.leadId, legacy));
        const listed = await listQueue(t.db, { tenantId, filters: {}, limit: 200 });
        const shown = listed.rows.find((r) => r.row.leadId === legacy)!.row;
        expect(shown.providerResponse).toEqual({ idMessage: "BAE5", error: { code: 100, message: expect.stringMatching(/^m{499}…$/) } });
        expect(shown.errorMessage!.length).toBe(1000);
        expect(JSON.stringify(listed.rows)).not.toContain(secret);
        const json = listed.rows.map(queueRowJson);
        expect(JSON.stringify(json)).not.toContain(secret);
        expect(json.find((r) => r.leadId === legacy)!.providerResponse).toEqual(shown.providerResponse);
      } finally {
        await huge.close();
      }
    });
  });
});
