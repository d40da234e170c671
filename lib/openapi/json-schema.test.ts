// zod → JSON Schema for the document: input side of transforms, named schemas as components, no throws.
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { CONVERSION_ERROR_KEY, type SchemaComponents, derefSchema, describeProperties, zodToJsonSchema } from "./json-schema";

describe("zodToJsonSchema", () => {
  it("converts the input side of transforms, preprocessors and coercion", () => {
    const schema = z.object({
      limit: z.coerce.number().int().min(1).default(50),
      q: z.preprocess((v) => (v === "" ? undefined : v), z.string().max(10).optional()),
      email: z.string().trim().toLowerCase().pipe(z.email()),
      amount: z.union([z.number(), z.string()]).transform(Number),
    });
    const json = zodToJsonSchema(schema, "input", {});
    expect(json.properties?.limit).toMatchObject({ type: "integer", minimum: 1, default: 50 });
    expect(json.properties?.q).toMatchObject({ type: "string", maxLength: 10 });
    expect(json.properties?.email).toMatchObject({ type: "string" });
    expect(json.properties?.amount?.type).toEqual(["number", "string"]);
    expect(json.required).toEqual(["email", "amount"]);
    expect(json).not.toHaveProperty("$schema");
  });

  it("makes what JSON Schema cannot say an open schema instead of throwing", () => {
    const json = zodToJsonSchema(z.object({ at: z.date(), n: z.bigint(), out: z.string().transform((s) => s.length) }), "output", {});
    expect(json.properties?.at).toEqual({});
    expect(json.properties?.n).toEqual({});
    expect(json).not.toHaveProperty(CONVERSION_ERROR_KEY);
  });

  it("moves named schemas into components and refers to them", () => {
    const components: SchemaComponents = {};
    const item = z.object({ id: z.string() }).meta({ id: "TestItem" });
    const json = zodToJsonSchema(z.object({ items: z.array(item) }), "output", components);
    expect(json.properties?.items?.items).toEqual({ $ref: "#/components/schemas/TestItem" });
    expect(components.TestItem).toMatchObject({ type: "object", required: ["id"] });
    expect(zodToJsonSchema(item, "output", components)).toEqual({ $ref: "#/components/schemas/TestItem" });
    expect(derefSchema({ $ref: "#/components/schemas/TestItem" }, components)).toBe(components.TestItem);
  });

  it("refuses two different schemas under one name", () => {
    const components: SchemaComponents = {};
    zodToJsonSchema(z.object({ a: z.string() }).meta({ id: "TestClash" }), "output", components);
    expect(() => zodToJsonSchema(z.object({ b: z.number() }).meta({ id: "TestClash" }), "output", components)).toThrow(/TestClash/);
  });

  it("adds descriptions to named fields, and refuses unknown ones", () => {
    const components: SchemaComponents = {};
    const json = zodToJsonSchema(z.object({ a: z.string().meta({ description: "A." }), b: z.number() }), "input", components);
    describeProperties(json, { a: "More.", b: "B." }, components);
    expect(json.properties?.a?.description).toBe("A. More.");
    expect(json.properties?.b?.description).toBe("B.");
    expect(() => describeProperties(json, { c: "?" }, components)).toThrow(/"c"/);
  });
});
