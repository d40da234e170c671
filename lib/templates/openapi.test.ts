// The templates' OpenAPI entries (lib/openapi/operations-templates.ts) build into a valid document on
// their own: every schema converts, examples pass the route's own schemas (lib/openapi/coverage.test.ts checks routes and entries match).
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { templateOperations } from "@/lib/openapi/operations-templates";

const doc = buildOpenApiDocument({ appUrl: "https://clicktrail.example.com", operations: templateOperations });

describe("templates in the OpenAPI document", () => {
  it("converts every schema", () => {
    expect(doc.tags.map((t) => t.name)).toEqual(["Templates"]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Template", "TemplateRevision", "TemplateVariables", "ApprovedMetaTemplates", "MetaTemplateBinding"]),
    );
  });

  it("has body examples the routes accept", () => {
    for (const op of templateOperations) {
      if (!op.body) continue;
      expect(op.body.safeParse(op.bodyExample).error?.issues ?? [], op.operationId).toEqual([]);
    }
  });

  it("asks for a manager to change things and lets marketers read", () => {
    const roles = Object.fromEntries(templateOperations.map((op) => [op.operationId, op.role]));
    expect(roles).toMatchObject({
      listTemplates: "marketer",
      getTemplate: "marketer",
      createTemplate: "manager",
      updateTemplate: "manager",
      deleteTemplate: "manager",
      restoreTemplateRevision: "manager",
      setTemplateVariables: "manager",
    });
  });
});
