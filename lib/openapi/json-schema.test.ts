// The document's JSON Schemas as zod-openapi writes them from the declarations: request bodies on the
// input side (defaults and coercions make fields optional), answers on the output side, named schemas as
// components that refs reach.
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./document";
import { derefSchema, type JsonSchema, refName } from "./json-schema";
import { defineOperation } from "./registry";

const item = z.object({ id: z.string(), at: z.string().meta({ format: "date-time" }) }).meta({ id: "TestItem" });
const op = defineOperation({
  method: "post",
  path: "/api/v1/test-items",
  operationId: "createTestItem",
  tag: "Developer tools",
  summary: "Create a test item",
  body: z.strictObject({
    name: z.string().trim().min(1),
    limit: z.coerce.number().int().min(1).default(50),
    active: z.boolean().default(true),
    note: z.preprocess((v) => (v === "" ? undefined : v), z.string().max(10).optional()),
  }),
  bodyExample: { name: "a" },
  responses: [{ status: 201, description: "Created", schema: z.object({ items: z.array(item), count: z.number().int() }) }],
  handler: async () => ({ items: [], count: 0 }),
});
const doc = buildOpenApiDocument({ appUrl: "http://localhost:3000", operations: [op] });
const operation = doc.paths["/api/v1/test-items"]!.post!;
const body = operation.requestBody!.content["application/json"]!.schema!;
const answer = operation.responses["201"]!.content!["application/json"]!.schema!;

describe("the document's JSON Schemas", () => {
  it("documents a body as clients send it: fields with defaults are optional, unknown fields refused", () => {
    expect(body.required).toEqual(["name"]);
    expect(body.properties?.limit).toMatchObject({ type: "integer", minimum: 1, default: 50 });
    expect(body.properties?.note).toMatchObject({ type: "string", maxLength: 10 });
    expect(body.additionalProperties).toBe(false);
  });

  it("names reused answers as components and reaches them through refs", () => {
    const items = answer.properties?.items as JsonSchema;
    expect(refName(items.items as JsonSchema)).toBe("TestItem");
    const resolved = derefSchema(items.items as JsonSchema, doc.components.schemas);
    expect(resolved).toMatchObject({ type: "object", required: ["id", "at"], properties: { at: { type: "string", format: "date-time" } } });
    expect(derefSchema({ $ref: "#/components/schemas/Nothing" }, doc.components.schemas)).toEqual({});
    expect(answer.required).toEqual(["items", "count"]);
  });

  it("refuses two different schemas under one name", () => {
    const clash = defineOperation({
      ...op,
      operationId: "clash",
      path: "/api/v1/clash",
      responses: [{ status: 201, description: "x", schema: z.object({ other: z.number() }).meta({ id: "TestItem" }) }],
      handler: async () => ({ other: 1 }),
    });
    expect(() => buildOpenApiDocument({ appUrl: "http://localhost:3000", operations: [op, clash] })).toThrow(/TestItem/);
  });
});
