// The docs page's reading of the document: field tables, variants, rules in words, curl commands.
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, type OperationObject } from "./document";
import { constraintsOf, curlCommand, operationsByTag, schemaView, typeLabel } from "./view";

const doc = buildOpenApiDocument({ appUrl: "https://clicktrail.example.com" });
const components = doc.components.schemas;
const op = (path: string, method: "get" | "post" | "patch" | "delete") => doc.paths[path]?.[method] as OperationObject;

describe("schemaView", () => {
  it("flattens the conversions body into rows with types, required flags, enums and rules", () => {
    const view = schemaView(op("/api/v1/conversions/whatsapp", "post").requestBody!.content["application/json"]!.schema!, components);
    expect(view.kind).toBe("fields");
    if (view.kind !== "fields") return;
    expect(view.refName).toBe("SendWhatsAppConversionRequest");
    expect(view.closed).toBe(true);
    const row = (name: string) => view.rows.find((r) => r.name === name);
    expect(row("accountId")).toMatchObject({ type: "string (uuid)", required: true });
    expect(row("eventName")).toMatchObject({ required: true, enumValues: ["LeadSubmitted", "Purchase", "AddToCart", "InitiateCheckout", "ViewContent"] });
    expect(row("eventId")?.constraints).toContain("1–255 characters");
    expect(row("value")?.type).toBe("number | string");
    expect(row("contentIds")).toMatchObject({ type: "string[]", required: false });
    expect(row("contentIds")?.constraints).toEqual(["≤ 1000 items", "each: 1–255 characters"]);
  });

  it("shows a discriminated union as variants", () => {
    const view = schemaView(op("/api/v1/numbers", "post").requestBody!.content["application/json"]!.schema!, components);
    expect(view.kind).toBe("variants");
    if (view.kind !== "variants") return;
    expect(view.discriminator).toBe("provider");
    expect(view.variants.map((v) => v.title)).toEqual(["provider: cloud", "provider: green", "provider: gupshup"]);
  });

  it("recurses into nested objects and arrays of objects", () => {
    const list = schemaView(op("/api/v1/conversions", "get").responses["200"]!.content!["application/json"]!.schema!, components);
    expect(list.kind === "fields" && list.rows.map((r) => r.name)).toEqual(expect.arrayContaining(["rows", "rows[].id", "rows[].eventName", "nextCursor"]));
    const error = schemaView({ $ref: "#/components/schemas/Error" }, components);
    expect(error.kind === "fields" && error.rows.map((r) => [r.name, r.depth, r.required])).toEqual([
      ["error", 0, true],
      ["error.code", 1, true],
      ["error.message", 1, true],
      ["error.details", 1, false],
    ]);
  });

  it("words rules without zod's safe-integer bounds", () => {
    expect(constraintsOf({ type: "integer", exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER }, {})).toEqual(["> 0"]);
    expect(constraintsOf({ type: "integer", minimum: 1, maximum: 200, default: 50 }, {})).toEqual(["1–200", "default 50"]);
    expect(typeLabel({ anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] }, {})).toBe("string (date-time) | null");
  });
});

describe("operationsByTag", () => {
  it("groups every operation under the document's tags, conversions first", () => {
    const groups = operationsByTag(doc);
    expect(groups[0]?.tag).toBe("Conversions");
    expect(groups.flatMap((g) => g.operations).length).toBe(Object.values(doc.paths).flatMap((item) => Object.keys(item)).length);
    const anchors = groups.flatMap((g) => g.operations.map((o) => o.anchor));
    expect(new Set(anchors).size).toBe(anchors.length);
  });
});

describe("curlCommand", () => {
  it("posts the example body with the API key", () => {
    const curl = curlCommand(doc, { method: "post", path: "/api/v1/conversions/whatsapp", operation: op("/api/v1/conversions/whatsapp", "post") });
    expect(curl.split(" \\\n  ")).toEqual([
      'curl -X POST "https://clicktrail.example.com/api/v1/conversions/whatsapp"',
      '-H "Authorization: Bearer $CLICKTRAIL_API_KEY"',
      '-H "Content-Type: application/json"',
      expect.stringMatching(/^--data-raw '\{\n {2}"accountId": /),
    ]);
  });

  it("puts ids in shell variables, needs no key for the public document, and saves CSV to a file", () => {
    expect(curlCommand(doc, { method: "delete", path: "/api/v1/numbers/{id}", operation: op("/api/v1/numbers/{id}", "delete") })).toContain(
      'curl -X DELETE "https://clicktrail.example.com/api/v1/numbers/$ID"',
    );
    expect(curlCommand(doc, { method: "get", path: "/api/v1/openapi.json", operation: op("/api/v1/openapi.json", "get") })).toBe(
      'curl "https://clicktrail.example.com/api/v1/openapi.json"',
    );
    expect(curlCommand(doc, { method: "get", path: "/api/v1/subscribers/export", operation: op("/api/v1/subscribers/export", "get") })).toMatch(
      /-o subscribers\.csv$/,
    );
  });

  it("quotes single quotes in bodies for the shell", () => {
    const operation = { ...op("/api/v1/users", "post") };
    operation.requestBody = { required: true, content: { "application/json": { example: { name: "O'Brien" } } } };
    expect(curlCommand(doc, { method: "post", path: "/api/v1/users", operation })).toContain(`"name": "O'\\''Brien"`);
  });
});
