// The connection check against real HTTP fakes of Meta's Graph API and Green API on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { type FakeGreenApi, startFakeGreenApi } from "@/e2e/fakes/fake-green-api";
import { parseHostRules } from "@/lib/egress";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import { checkNumberConnection, type ConnectionDeps } from "./check-connection";
import { createNumber } from "./numbers";
import { numberFormSchema } from "./schemas";

const encryptionKey = Buffer.alloc(32, 3).toString("base64");
// the fake Green API listens on 127.0.0.1: the operator allowlist (GREEN_API_HOSTS) lets the tests reach it
const greenEgress = greenEgressPolicy(parseHostRules("127.0.0.1"));
const keys = { encryptionKey, appUrl: "http://localhost:3000", greenEgress };
const now = new Date("2026-11-21T10:00:00Z");

describe.each(testDrivers)("connection check (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let green: FakeGreenApi;
  let tenantId: string;
  let deps: ConnectionDeps;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    green = await startFakeGreenApi();
    tenantId = (await insertTenant(t.db, { name: "Checks" })).id;
    deps = { encryptionKey, graph: { base: graph.url, version: "v24.0", timeoutMs: 5_000 }, greenEgress, now: () => now };
  });
  afterAll(async () => {
    await graph.close();
    await green.close();
    await t.cleanup();
  });

  async function cloudNumber(opts: { phone?: string; token?: string } = {}) {
    seq += 1;
    const phoneNumberId = `${kind === "pglite" ? 1 : 2}0654035224${String(seq).padStart(4, "0")}`;
    const row = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "cloud",
        label: `N${seq}`,
        phoneE164: opts.phone ?? `+1555078${String(3800 + seq)}`,
        phoneNumberId,
        wabaId: "102290129340398",
        accessToken: opts.token ?? "EAAG-good-token",
        appSecret: "s3cret",
      }),
    });
    return row;
  }

  it("stores verified name, quality and tier when the number answers and matches", async () => {
    const row = await cloudNumber();
    graph.addPhoneNumber({
      id: row.phoneNumberId!,
      token: "EAAG-good-token",
      display_phone_number: `+1 555-078-${row.phoneE164.slice(-4)}`,
      verified_name: "Acme Support",
      quality_rating: "GREEN",
      code_verification_status: "VERIFIED",
      messaging_limit_tier: "TIER_1K",
    });
    const { row: checked, result } = await checkNumberConnection(t.db, deps, { tenantId, id: row.id });
    expect(result).toMatchObject({ status: "connected", error: null, verifiedName: "Acme Support", codeVerificationStatus: "VERIFIED" });
    expect(checked).toMatchObject({
      connectionStatus: "connected",
      verifiedName: "Acme Support",
      qualityRating: "GREEN",
      messagingLimitTier: "TIER_1K",
      lastCheckedAt: now,
      lastError: null,
    });
    const req = graph.requests.at(-1)!;
    expect(req.path).toBe(`/v24.0/${row.phoneNumberId}`);
    expect(req.headers.authorization).toBe("Bearer EAAG-good-token");
    expect(req.query.get("fields")).toBe("display_phone_number,verified_name,quality_rating,code_verification_status,messaging_limit_tier");
  });

  it("keeps Graph's error verbatim with a hint for an expired token (190)", async () => {
    const row = await cloudNumber({ token: "EAAG-expired" });
    graph.addPhoneNumber({ id: row.phoneNumberId!, token: "EAAG-other", display_phone_number: row.phoneE164 });
    const { row: checked, result } = await checkNumberConnection(t.db, deps, { tenantId, id: row.id });
    expect(result.status).toBe("error");
    expect(checked.connectionStatus).toBe("error");
    expect(checked.lastError).toMatchObject({
      kind: "graph",
      httpStatus: 401,
      code: 190,
      subcode: 463,
      type: "OAuthException",
      message: expect.stringContaining("Session has expired"),
      fbtraceId: expect.stringMatching(/^AFakeTrace/),
      hint: expect.stringContaining("expired"),
    });
    expect(JSON.stringify(checked.lastError)).not.toContain("EAAG-expired");
  });

  it("explains an unknown Phone Number ID (100)", async () => {
    const row = await cloudNumber();
    const { result } = await checkNumberConnection(t.db, deps, { tenantId, id: row.id });
    expect(result.error).toMatchObject({ kind: "graph", code: 100, subcode: 33, hint: expect.stringContaining("Phone Number ID") });
    expect(result.message).toMatch(/^Graph error 100: Unsupported get request/);
  });

  it("maps permission and rate-limit codes to hints", async () => {
    const a = await cloudNumber();
    graph.failObject(a.phoneNumberId!, { status: 403, code: 10, message: "(#10) Application does not have permission for this action" });
    expect((await checkNumberConnection(t.db, deps, { tenantId, id: a.id })).result.error).toMatchObject({
      code: 10,
      hint: expect.stringContaining("permission"),
    });
    const b = await cloudNumber();
    graph.failObject(b.phoneNumberId!, { status: 400, code: 80007, message: "(#80007) There have been too many calls to this WhatsApp Business account." });
    expect((await checkNumberConnection(t.db, deps, { tenantId, id: b.id })).result.error).toMatchObject({
      code: 80007,
      hint: expect.stringContaining("rate limit"),
    });
  });

  it("turns a slow Graph API into a timeout error, not a hang", async () => {
    const row = await cloudNumber();
    graph.addPhoneNumber({ id: row.phoneNumberId!, token: "EAAG-good-token", display_phone_number: row.phoneE164, delayMs: 2_000 });
    const started = Date.now();
    // a short timeout for this one only: the others answer within 5 s even on a loaded machine
    const impatient = { ...deps, graph: { ...deps.graph, timeoutMs: 400 } };
    const { row: checked } = await checkNumberConnection(t.db, impatient, { tenantId, id: row.id });
    expect(Date.now() - started).toBeLessThan(1_900);
    expect(checked.connectionStatus).toBe("error");
    expect(checked.lastError).toMatchObject({ kind: "timeout", message: "Meta's Graph API did not answer within 0.4 s" });
  });

  it("refuses a Phone Number ID that belongs to another phone", async () => {
    const row = await cloudNumber();
    graph.addPhoneNumber({ id: row.phoneNumberId!, token: "EAAG-good-token", display_phone_number: "15550000000", verified_name: "Someone Else" });
    const { row: checked, result } = await checkNumberConnection(t.db, deps, { tenantId, id: row.id });
    expect(result.status).toBe("error");
    expect(checked.lastError).toMatchObject({ kind: "mismatch", expected: row.phoneE164, actual: "15550000000" });
    expect(result.message).toContain("+1 555 000 0000");
    expect(checked.verifiedName).toBeNull();
  });

  it("reports an unreachable Graph API as a network error", async () => {
    const row = await cloudNumber();
    const closed = await startFakeGraph();
    await closed.close();
    const { result } = await checkNumberConnection(t.db, { ...deps, graph: { ...deps.graph, base: closed.url } }, { tenantId, id: row.id });
    expect(result.error).toMatchObject({ kind: "network", message: expect.stringContaining("Could not reach Meta's Graph API") });
  });

  it("asks Green API for the instance state", async () => {
    const mk = async (id: string, token: string) =>
      createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "green",
          label: `G${id}`,
          phoneE164: `+7900555${id.slice(-4)}`,
          greenApiUrl: green.url,
          greenInstanceId: id,
          greenApiToken: token,
        }),
      });
    const offset = kind === "pglite" ? 0 : 5;
    green.addInstance({ id: `110100000${offset + 1}`, token: "tok-a", state: "authorized" });
    green.addInstance({ id: `110100000${offset + 2}`, token: "tok-b", state: "notAuthorized" });
    const ok = await mk(`110100000${offset + 1}`, "tok-a");
    expect((await checkNumberConnection(t.db, deps, { tenantId, id: ok.id })).row.connectionStatus).toBe("connected");
    expect(green.requests.at(-1)?.path).toBe(`/waInstance110100000${offset + 1}/getStateInstance/tok-a`);
    const qr = await mk(`110100000${offset + 2}`, "tok-b");
    expect((await checkNumberConnection(t.db, deps, { tenantId, id: qr.id })).row.lastError).toMatchObject({
      kind: "green_state",
      state: "notAuthorized",
      hint: expect.stringContaining("QR"),
    });
    const wrong = await mk(`110100000${offset + 3}`, "tok-wrong");
    const { row: refused } = await checkNumberConnection(t.db, deps, { tenantId, id: wrong.id });
    expect(refused.lastError).toMatchObject({ kind: "provider_http", httpStatus: 401 });
    expect(JSON.stringify(refused.lastError)).not.toContain("tok-wrong");
  });

  it("leaves a Gupshup number unverified until its first callback", async () => {
    const row = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "gupshup",
        label: "GS",
        phoneE164: `+91809876${kind === "pglite" ? "5432" : "5433"}`,
        gupshupAppName: "DemoApp",
        gupshupApiKey: "k",
      }),
    });
    const { result } = await checkNumberConnection(t.db, deps, { tenantId, id: row.id });
    expect(result).toMatchObject({ status: "unverified", message: expect.stringContaining("first callback") });
  });
});
