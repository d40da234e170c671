// The document is structurally valid OpenAPI 3.1, its examples pass the schemas they illustrate, and
// the conversions endpoint is documented in full.
import { describe, expect, it } from "vitest";
import { CONVERSION_EVENT_NAMES, conversionRequestSchema } from "@/lib/conversions/schema";
import { buildOpenApiDocument, type OpenApiDocument, type OperationObject } from "./document";
import { type JsonSchema, derefSchema } from "./json-schema";
import { OPERATIONS } from "./operations";
import { HTTP_METHODS, pathParams } from "./registry";

const APP_URL = "https://clicktrail.example.com/";
const doc = buildOpenApiDocument({ appUrl: APP_URL });
const components = doc.components.schemas;

const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  HTTP_METHODS.flatMap((method) => (item[method] ? [{ path, method, op: item[method] as OperationObject }] : [])),
);

/** Every value under `node` with its JSON pointer. */
function walk(node: unknown, pointer: string, visit: (value: unknown, key: string, pointer: string) => void): void {
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    const here = `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    visit(v, k, here);
    walk(v, here, visit);
  }
}

function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, segment) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined), root);
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with info, the server from APP_URL and the security schemes", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe("Clicktrail API");
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.servers).toEqual([{ url: "https://clicktrail.example.com", description: expect.any(String) }]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("survives JSON (no undefined, functions or cycles)", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("resolves every $ref", () => {
    const refs: string[] = [];
    walk(doc, "#", (value, key) => {
      if (key === "$ref") refs.push(value as string);
    });
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(resolvePointer(doc, ref), ref).toBeDefined();
  });

  it("has unique operationIds, declared tags and security schemes, and success responses", () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { path, method, op } of operations) {
      const name = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, name).toMatch(/^[a-zA-Z][a-zA-Z0-9]*$/);
      expect(op.summary, name).toBeTruthy();
      expect(
        op.tags.every((t) => tags.has(t)),
        name,
      ).toBe(true);
      for (const requirement of op.security) {
        for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes, name).toHaveProperty(scheme);
      }
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        name,
      ).toBe(true);
      expect(
        statuses.every((s) => /^[1-5]\d\d$/.test(s)),
        name,
      ).toBe(true);
      for (const [status, response] of Object.entries(op.responses)) expect(response.description, `${name} ${status}`).toBeTruthy();
    }
  });

  it("declares every path parameter, and only those", () => {
    for (const { path, method, op } of operations) {
      const declared = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(pathParams(path).sort());
      expect(declared.every((p) => p.required)).toBe(true);
      const names = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(new Set(names).size, `${method} ${path}`).toBe(names.length);
    }
  });

  it("documents errors with the shared envelope: 401 on authenticated routes, 404 on ids, 422 on inputs", () => {
    const error = components.Error as JsonSchema;
    expect(error.required).toEqual(["error"]);
    expect(derefSchema(error.properties?.error as JsonSchema, components).required).toEqual(["code", "message"]);
    for (const { path, method, op } of operations) {
      const name = `${method.toUpperCase()} ${path}`;
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^[45]/.test(status)) continue;
        expect(response.content?.["application/json"]?.schema, `${name} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
      }
      if (op.security.length > 0) expect(op.responses, name).toHaveProperty("401");
      else expect(op.responses, name).not.toHaveProperty("401");
      if (path.includes("{id}")) expect(op.responses, name).toHaveProperty("404");
      if (op.requestBody || (op.parameters ?? []).some((p) => p.in === "query")) expect(op.responses, name).toHaveProperty("422");
    }
  });

  it("marks the least role of sessions, 403 forbidden where a marketer is not enough, and 403 for a held password on every session route", () => {
    expect(doc.paths["/api/v1/users"]?.get?.["x-required-role"]).toBe("admin");
    expect(doc.paths["/api/v1/users"]?.get?.responses).toHaveProperty("403");
    expect(doc.paths["/api/v1/subscribers"]?.get?.["x-required-role"]).toBe("marketer");
    // a marketer is enough: only a session still on an admin-set password is refused
    const forbidden = doc.paths["/api/v1/subscribers"]?.get?.responses["403"]?.content?.["application/json"]?.examples;
    expect(Object.keys(forbidden ?? {})).toEqual(["password_change_required"]);
    expect(Object.keys(doc.paths["/api/v1/users"]?.get?.responses["403"]?.content?.["application/json"]?.examples ?? {})).toEqual([
      "forbidden",
      "password_change_required",
    ]);
    expect(doc.paths["/api/v1/openapi.json"]?.get?.security).toEqual([]);
  });

  it("has examples that the route's own schemas accept", () => {
    for (const op of OPERATIONS) {
      if (op.body) {
        expect(op.bodyExample, `${op.operationId} needs a bodyExample`).toBeDefined();
        const parsed = op.body.safeParse(op.bodyExample);
        expect(parsed.error?.issues ?? [], op.operationId).toEqual([]);
        if (op.bodyTypesFrom)
          expect(
            Object.keys(op.bodyExample as object).every(
              (k) => k in (doc.paths[op.path]?.[op.method]?.requestBody?.content["application/json"]?.schema?.properties ?? {}),
            ),
          ).toBe(true);
      }
      for (const r of op.responses) {
        if (r.example === undefined || !r.schema) continue;
        expect(r.schema.safeParse(r.example).error?.issues ?? [], `${op.operationId} ${r.status}`).toEqual([]);
      }
    }
  });

  it("builds the same document twice (named schemas do not clash)", () => {
    expect(buildOpenApiDocument({ appUrl: APP_URL })).toEqual(doc);
  });
});

describe("POST /api/v1/conversions/whatsapp", () => {
  const op = doc.paths["/api/v1/conversions/whatsapp"]?.post as OperationObject;
  const body = op.requestBody?.content["application/json"];

  it("takes SendWhatsAppConversionRequest: accountId, eventName and eventId required, the eventName enum, no other fields", () => {
    expect(op.requestBody?.required).toBe(true);
    expect(body?.schema).toEqual({ $ref: "#/components/schemas/SendWhatsAppConversionRequest" });
    const schema = components.SendWhatsAppConversionRequest as JsonSchema;
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(expect.arrayContaining(["accountId", "eventName", "eventId"]));
    expect(schema.required).not.toContain("phoneE164");
    expect(schema.properties?.eventName?.enum).toEqual([...CONVERSION_EVENT_NAMES]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties ?? {})).toEqual(Object.keys(conversionRequestSchema.shape));
    // input-side types: value accepts a number or a numeric string; eventTime is whole seconds
    expect(schema.properties?.value?.anyOf?.map((a) => a.type)).toEqual(["number", "string"]);
    expect(schema.properties?.eventTime?.type).toBe("integer");
    expect(schema.properties?.eventTime?.description).toMatch(/seconds/);
  });

  it("has a request example the endpoint accepts", () => {
    expect(conversionRequestSchema.safeParse(body?.example).success).toBe(true);
  });

  it("answers 202 and 200 (duplicate) with { id, eventId, status, conversationId, warnings, duplicate }", () => {
    for (const status of ["202", "200"]) {
      const media = op.responses[status]?.content?.["application/json"];
      expect(media?.schema).toEqual({ $ref: "#/components/schemas/ConversionAccepted" });
      expect(media?.example).toMatchObject({ duplicate: status === "200" });
    }
    const accepted = components.ConversionAccepted as JsonSchema;
    expect(Object.keys(accepted.properties ?? {}).sort()).toEqual(["conversationId", "duplicate", "eventId", "id", "status", "warnings"]);
    expect(accepted.required?.sort()).toEqual(["conversationId", "duplicate", "eventId", "id", "status", "warnings"]);
  });

  const codes = (status: string) => Object.keys(op.responses[status]?.content?.["application/json"]?.examples ?? {});

  it("lists every error reason", () => {
    expect(codes("409")).toEqual(["event_id_conflict"]);
    expect(codes("404")).toEqual(expect.arrayContaining(["number_not_found", "conversation_not_found"]));
    expect(codes("422").sort()).toEqual([
      "dataset_missing",
      "event_in_future",
      "event_name_not_allowed",
      "event_too_old",
      "invalid_request",
      "no_click_id",
      "number_not_cloud",
    ]);
    expect(codes("401")).toEqual(["unauthorized"]);
    expect(codes("400")).toEqual(["bad_request"]);
  });
});

describe("buildOpenApiDocument", () => {
  it("refuses an operation documented twice", () => {
    const [first] = OPERATIONS;
    expect(() => buildOpenApiDocument({ appUrl: APP_URL, operations: [first!, first!] })).toThrow(/documented twice/);
  });

  it("refuses notes for a query parameter that does not exist", () => {
    const list = OPERATIONS.find((o) => o.operationId === "listConversions")!;
    expect(() => buildOpenApiDocument({ appUrl: APP_URL, operations: [{ ...list, queryNotes: { nope: "x" } }] })).toThrow(/nope/);
  });

  it("keeps only the tags in use", () => {
    const one: OpenApiDocument = buildOpenApiDocument({ appUrl: APP_URL, operations: OPERATIONS.filter((o) => o.tag === "Users") });
    expect(one.tags.map((t) => t.name)).toEqual(["Users"]);
  });
});
