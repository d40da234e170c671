// Demo numbers reach no provider, on both drivers: even after their rows were given a token and a URL that
// work (the fakes answer them), the drip skips their messages as demo_number, the connection check calls
// nothing and stores nothing, and conversions, ad names, datasets and Meta templates are refused.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant, type JobRow } from "@/db/queries";
import { ads, conversions, leads, outboundMessages, whatsappNumbers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { type FakeGreenApi, startFakeGreenApi } from "@/e2e/fakes/fake-green-api";
import { serveCloudMessages, serveGreenSendMessage } from "@/e2e/fakes/fake-senders";
import { capiForwardHandler } from "@/lib/conversions/deliver";
import { encryptSecret } from "@/lib/crypto";
import { runDrip } from "@/lib/drip/dispatch";
import { enrollLead } from "@/lib/drip/enroll";
import { parseHostRules } from "@/lib/egress";
import { checkNumberConnection } from "@/lib/numbers/check-connection";
import { numberAccessToken } from "@/lib/numbers/numbers";
import { adEnrichmentHandler } from "@/lib/subscribers/enrichment";
import { greenEgressPolicy } from "@/lib/whatsapp/green-client";
import { loadDemoData } from "./demo-data";

const encryptionKey = Buffer.alloc(32, 5).toString("base64");
const greenEgress = greenEgressPolicy(parseHostRules("127.0.0.1"));

describe.each(testDrivers)("demo numbers (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let green: FakeGreenApi;
  let tenantId = "";
  let numbers: (typeof whatsappNumbers.$inferSelect)[] = [];
  const graphConfig = () => ({ base: graph.url, version: "v24.0", timeoutMs: 5_000 });
  const job = (payload: Record<string, unknown>) => ({ payload, attempts: 1, maxAttempts: 5 }) as JobRow;

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    green = await startFakeGreenApi();
    tenantId = (await insertTenant(t.db, { name: "Demo" })).id;
    await loadDemoData(t.db, { tenantId, now: new Date(), encryptionKey });
    numbers = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.tenantId, tenantId));
    // what the loader never stores: a token each, a reachable Green API URL, the fakes ready to accept sends
    const tokens: Record<string, string> = {};
    for (const n of numbers) {
      if (n.provider === "cloud") {
        tokens[n.phoneNumberId!] = `token-${n.phoneNumberId}`;
        await t.db
          .update(whatsappNumbers)
          .set({ accessTokenEnc: encryptSecret(tokens[n.phoneNumberId!]!, encryptionKey) })
          .where(eq(whatsappNumbers.id, n.id));
      } else {
        await t.db
          .update(whatsappNumbers)
          .set({ greenApiUrl: green.url, greenTokenEnc: encryptSecret("green-token", encryptionKey) })
          .where(eq(whatsappNumbers.id, n.id));
      }
    }
    serveCloudMessages(graph, tokens);
    serveGreenSendMessage(green, Object.fromEntries(numbers.filter((n) => n.greenInstanceId).map((n) => [n.greenInstanceId!, "green-token"])));
    numbers = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.tenantId, tenantId));
  });
  afterAll(async () => {
    await graph.close();
    await green.close();
    await t.cleanup();
  });

  it("are marked demo and stored without a provider token", async () => {
    const fresh = await insertTenant(t.db, { name: "Fresh" });
    await loadDemoData(t.db, { tenantId: fresh.id, now: new Date(), encryptionKey });
    const rows = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.tenantId, fresh.id));
    expect(rows).toHaveLength(3);
    for (const n of rows) expect(n).toMatchObject({ demo: true, accessTokenEnc: null, greenTokenEnc: null, phoneNumberIdProvenAt: null });
  });

  it("skip every due drip message as demo_number, also of a demo lead enrolled now, and send nothing", async () => {
    const [fresh] = await t.db
      .select()
      .from(leads)
      .where(and(eq(leads.tenantId, tenantId), eq(leads.callStatus, "not_called")))
      .limit(1);
    await enrollLead(t.db, { tenantId, leadId: fresh!.id, now: new Date() });
    const due = await t.db
      .select({ id: outboundMessages.id })
      .from(outboundMessages)
      .where(and(eq(outboundMessages.tenantId, tenantId), eq(outboundMessages.leadId, fresh!.id)));
    expect(due.length).toBeGreaterThan(0);
    const result = await runDrip(t.db, { encryptionKey, graph: graphConfig(), greenEgress, greenTimeoutMs: 5_000 }, { budgetMs: 20_000 });
    expect(result.sent).toBe(0);
    expect(result.skipped).toBeGreaterThan(0);
    expect(graph.requests).toHaveLength(0);
    expect(green.requests).toHaveLength(0);
    const rows = await t.db
      .select()
      .from(outboundMessages)
      .where(
        inArray(
          outboundMessages.id,
          due.map((d) => d.id),
        ),
      );
    const today = rows.filter((r) => r.scheduledAt.getTime() <= Date.now());
    expect(today.length).toBeGreaterThan(0);
    for (const r of today)
      expect(r).toMatchObject({
        status: "skipped",
        errorCode: "demo_number",
        errorMessage: expect.stringContaining("is a demo number"),
        providerMessageId: null,
      });
  });

  it("answer the connection check without calling out or storing anything", async () => {
    numbers = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.tenantId, tenantId)); // as the drip run left them
    for (const n of numbers) {
      const checked = await checkNumberConnection(t.db, { encryptionKey, graph: graphConfig(), greenEgress, now: () => new Date() }, { tenantId, id: n.id });
      expect(checked.result.message).toContain("is a demo number");
      expect(checked.proven).toBe(false);
      const [after] = await t.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.id, n.id));
      expect(after).toEqual(n);
    }
    expect(graph.requests).toHaveLength(0);
    expect(green.requests).toHaveLength(0);
  });

  it("refuse conversions, ad names, datasets and Meta templates", async () => {
    const [queued] = await t.db
      .select()
      .from(conversions)
      .where(and(eq(conversions.tenantId, tenantId), eq(conversions.status, "queued")))
      .limit(1);
    const delivered = await capiForwardHandler(t.db, { encryptionKey, graph: graphConfig() })(job({ tenantId, conversionId: queued!.id }), { now: new Date() });
    expect(delivered).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("is a demo number") });
    const [ad] = await t.db.select().from(ads).where(eq(ads.tenantId, tenantId)).limit(1);
    const fetched = await adEnrichmentHandler(t.db, { encryptionKey, graph: graphConfig() })(job({ tenantId, adId: ad!.adId }), { now: new Date() });
    expect(fetched).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("is a demo number") });
    const cloud = numbers.find((n) => n.provider === "cloud")!;
    expect(() => numberAccessToken(cloud, encryptionKey)).toThrow(/is a demo number/);
    expect(graph.requests).toHaveLength(0);
  });
});
