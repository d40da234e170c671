// A number's approved Meta templates, read from a fake Graph API on loopback with the number's own token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { type FakeGraph, startFakeGraph } from "@/e2e/fakes/fake-graph";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { listApprovedMetaTemplates, placeholdersOf, toApprovedMetaTemplate } from "./meta-templates";

const encryptionKey = Buffer.alloc(32, 5).toString("base64");
const TOKEN = "EAAG-templates-token";
const body = (text: string) => ({ type: "BODY", text });

describe("Meta template parsing", () => {
  it("reads numbered and named placeholders in order", () => {
    expect(placeholdersOf("Hi {{2}} and {{1}}, {{ 1 }} again")).toEqual(["1", "2"]);
    expect(placeholdersOf("Hi {{first_name}}, {{course}}")).toEqual(["first_name", "course"]);
  });

  it("marks templates whose header or buttons need a value of their own", () => {
    const base = { name: "t", language: "en_US" };
    expect(toApprovedMetaTemplate({ ...base, components: [{ type: "HEADER", format: "IMAGE" }, body("Hi")] }).unsupported).toMatch(/header is an image/);
    expect(toApprovedMetaTemplate({ ...base, components: [{ type: "HEADER", format: "TEXT", text: "Order {{1}}" }, body("Hi")] }).unsupported).toMatch(
      /header has a parameter/,
    );
    expect(
      toApprovedMetaTemplate({ ...base, components: [body("Hi"), { type: "BUTTONS", buttons: [{ type: "URL", url: "https://x/{{1}}" }] }] }).unsupported,
    ).toMatch(/button's link/);
    expect(
      toApprovedMetaTemplate({
        ...base,
        components: [{ type: "HEADER", format: "TEXT", text: "Hello" }, body("Hi {{1}}"), { type: "FOOTER", text: "STOP to opt out" }],
      }),
    ).toEqual({
      id: null,
      name: "t",
      language: "en_US",
      category: null,
      parameterFormat: "positional",
      body: "Hi {{1}}",
      parameters: ["1"],
      unsupported: null,
    });
  });
});

describe.each(testDrivers)("approved Meta templates of a number (%s)", (kind) => {
  let t: TestDb;
  let graph: FakeGraph;
  let tenantId: string;
  let numberId: string;
  let greenId: string;
  const wabaId = kind === "pglite" ? "302290129349001" : "402290129349001";
  const deps = () => ({ encryptionKey, graph: { base: graph.url, version: "v24.0" } });

  beforeAll(async () => {
    t = await createTestDb(kind);
    graph = await startFakeGraph();
    tenantId = (await insertTenant(t.db, { name: "Templates" })).id;
    const keys = { encryptionKey, appUrl: "http://x" };
    numberId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Sales",
          phoneE164: "+15550789001",
          phoneNumberId: `${wabaId}7`,
          wabaId,
          accessToken: TOKEN,
          appSecret: "s",
        }),
      })
    ).id;
    greenId = (
      await createNumber(t.db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "green",
          label: "Green line",
          phoneE164: "+15550789002",
          greenApiUrl: "https://7103.api.greenapi.com",
          greenInstanceId: "7103000001",
          greenApiToken: "g",
        }),
      })
    ).id;
    graph.addMessageTemplates(wabaId, TOKEN, [
      { name: "day1_reminder", language: "ru", category: "MARKETING", components: [body("{{1}}, напоминаем: {{2}} ждёт вас")] },
      { name: "welcome_named", language: "en_US", parameter_format: "NAMED", components: [body("Hi {{first_name}}!")] },
      { name: "still_pending", language: "en_US", status: "PENDING", components: [body("Soon")] },
      ...Array.from({ length: 120 }, (_, i) => ({ name: `bulk_${String(i).padStart(3, "0")}`, language: "en", components: [body("Bulk")] })),
    ]);
  });
  afterAll(async () => {
    await graph.close();
    await t.cleanup();
  });

  it("lists every approved template across pages, with its body parameters, using the number's token", async () => {
    const result = await listApprovedMetaTemplates(t.db, deps(), { tenantId, numberId });
    expect(result).toMatchObject({ numberId, wabaId });
    expect(result.templates).toHaveLength(122);
    expect(result.templates.find((x) => x.name === "day1_reminder")).toEqual({
      id: expect.any(String),
      name: "day1_reminder",
      language: "ru",
      category: "MARKETING",
      parameterFormat: "positional",
      body: "{{1}}, напоминаем: {{2}} ждёт вас",
      parameters: ["1", "2"],
      unsupported: null,
    });
    expect(result.templates.find((x) => x.name === "welcome_named")).toMatchObject({ parameterFormat: "named", parameters: ["first_name"] });
    expect(result.templates.some((x) => x.name === "still_pending")).toBe(false);
    const calls = graph.requests.filter((r) => r.path === `/v24.0/${wabaId}/message_templates`);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(calls[0]!.query.get("status")).toBe("APPROVED");
    expect(calls[1]!.query.get("after")).toBe("100");
  });

  it("passes Meta's error on with a hint, and refuses numbers that have no templates", async () => {
    graph.addMessageTemplates(`${wabaId.slice(0, -1)}8`, "another-token", []);
    const other = await createNumber(
      t.db,
      { encryptionKey, appUrl: "http://x" },
      {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Support",
          phoneE164: "+15550789003",
          phoneNumberId: `${wabaId}8`,
          wabaId: `${wabaId.slice(0, -1)}8`,
          accessToken: TOKEN,
          appSecret: "s",
        }),
      },
    );
    await expect(listApprovedMetaTemplates(t.db, deps(), { tenantId, numberId: other.id })).rejects.toMatchObject({
      code: "provider_error",
      reason: "graph_error",
      message: expect.stringMatching(
        /^Meta did not return the approved templates: Graph error 190\/463: Error validating access token.*replace it on the number's page\.$/,
      ),
    });
    await expect(listApprovedMetaTemplates(t.db, deps(), { tenantId, numberId: greenId })).rejects.toMatchObject({
      code: "unprocessable",
      reason: "number_not_cloud",
    });
    await expect(
      listApprovedMetaTemplates(t.db, { ...deps(), encryptionKey: Buffer.alloc(32, 6).toString("base64") }, { tenantId, numberId }),
    ).rejects.toMatchObject({ reason: "token_unreadable" });
    const stranger = (await insertTenant(t.db, { name: "Stranger" })).id;
    await expect(listApprovedMetaTemplates(t.db, deps(), { tenantId: stranger, numberId })).rejects.toMatchObject({ code: "not_found" });
  });
});
