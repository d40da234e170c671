// The templates' OpenAPI entries (lib/openapi/operations-templates.ts) build into a valid document on
// their own: every schema converts, examples pass the route's own schemas, routes and entries match.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { CONVERSION_ERROR_KEY } from "@/lib/openapi/json-schema";
import { templateOperations } from "@/lib/openapi/operations-templates";

const doc = buildOpenApiDocument({ appUrl: "https://clicktrail.example.com", operations: templateOperations });
const ROOT = path.resolve(import.meta.dirname, "..", "..");

describe("templates in the OpenAPI document", () => {
  it("converts every schema", () => {
    const json = JSON.stringify(doc);
    expect(json).not.toContain(CONVERSION_ERROR_KEY);
    expect(doc.tags.map((t) => t.name)).toEqual(["Templates"]);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["Template", "TemplateRevision", "TemplateVariables", "ApprovedMetaTemplates", "MetaTemplateBinding"]));
  });

  it("has body examples the routes accept", () => {
    for (const op of templateOperations) {
      if (!op.body) continue;
      expect(op.body.safeParse(op.bodyExample).error?.issues ?? [], op.operationId).toEqual([]);
    }
  });

  it("documents exactly the methods the route files export", () => {
    const files: Record<string, string> = {
      "/api/v1/templates": "app/api/v1/templates/route.ts",
      "/api/v1/templates/{id}": "app/api/v1/templates/[id]/route.ts",
      "/api/v1/templates/{id}/revisions": "app/api/v1/templates/[id]/revisions/route.ts",
      "/api/v1/templates/{id}/revisions/{revision}/restore": "app/api/v1/templates/[id]/revisions/[revision]/restore/route.ts",
      "/api/v1/template-variables": "app/api/v1/template-variables/route.ts",
      "/api/v1/numbers/{id}/message-templates": "app/api/v1/numbers/[id]/message-templates/route.ts",
    };
    const exported = Object.entries(files).flatMap(([p, file]) =>
      [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => `${m[1]} ${p}`),
    );
    expect(templateOperations.map((op) => `${op.method.toUpperCase()} ${op.path}`).sort()).toEqual(exported.sort());
  });

  it("asks for a manager to change things and lets marketers read", () => {
    const roles = Object.fromEntries(templateOperations.map((op) => [op.operationId, op.role]));
    expect(roles).toMatchObject({ listTemplates: "marketer", getTemplate: "marketer", createTemplate: "manager", updateTemplate: "manager", deleteTemplate: "manager", restoreTemplateRevision: "manager", setTemplateVariables: "manager" });
  });
});
