// The docs cover the API exactly: every exported method of every app/api/v1 route.ts is documented,
// and every documented operation exists as a route file exporting that method. A new route (or method)
// without an entry in lib/openapi/operations.ts fails here.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./document";
import { OPERATIONS } from "./operations";
import { HTTP_METHODS } from "./registry";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const API_DIR = path.join(ROOT, "app", "api", "v1");

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/** app/api/v1/numbers/[id]/check/route.ts → /api/v1/numbers/{id}/check */
function urlPathOf(file: string): string {
  const rel = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep);
  return `/${rel
    .filter((segment) => !/^\(.*\)$/.test(segment)) // route groups are not part of the URL
    .map((segment) => segment.replace(/^\[(\w+)\]$/, "{$1}"))
    .join("/")}`;
}

const METHOD_NAMES = HTTP_METHODS.map((m) => m.toUpperCase()).join("|");

/** The HTTP methods a route file exports: `export const GET =`, `export async function POST(`, `export const { GET, POST } =`, `export { GET }`. */
function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  const direct = new RegExp(`export\\s+(?:const|let|var|(?:async\\s+)?function)\\s+(${METHOD_NAMES})\\b`, "g");
  for (const m of source.matchAll(direct)) found.add(m[1] as string);
  const lists = /export\s+(?:const\s+)?\{([^}]*)\}/g;
  for (const m of source.matchAll(lists)) {
    for (const part of (m[1] as string).split(",")) {
      const name = part.trim().split(/\s+as\s+|\s*:\s*/).pop()?.trim();
      if (name && new RegExp(`^(${METHOD_NAMES})$`).test(name)) found.add(name);
    }
  }
  return [...found].sort();
}

const key = (method: string, urlPath: string) => `${method.toUpperCase()} ${urlPath}`;

const routes = routeFiles(API_DIR).flatMap((file) => exportedMethods(fs.readFileSync(file, "utf8")).map((m) => key(m, urlPathOf(file))));
const registered = OPERATIONS.map((op) => key(op.method, op.path));
const doc = buildOpenApiDocument({ appUrl: "http://localhost:3000" });
const documented = Object.entries(doc.paths).flatMap(([p, item]) => HTTP_METHODS.filter((m) => item[m]).map((m) => key(m, p)));

describe("route discovery", () => {
  it("reads every export form of a method", () => {
    expect(exportedMethods("export const GET = withApiErrors(async () => {});")).toEqual(["GET"]);
    expect(exportedMethods("export async function POST(req: Request) {}\nexport function DELETE() {}")).toEqual(["DELETE", "POST"]);
    expect(exportedMethods("export const { GET, POST } = handlers;")).toEqual(["GET", "POST"]);
    expect(exportedMethods("const a = 1; const b = 2;\nexport { a as GET, b as PATCH };")).toEqual(["GET", "PATCH"]);
    expect(exportedMethods('export const dynamic = "force-dynamic";\nconst GETTER = 1;')).toEqual([]);
  });

  it("maps route files to URL paths", () => {
    expect(urlPathOf(path.join(API_DIR, "numbers", "[id]", "check", "route.ts"))).toBe("/api/v1/numbers/{id}/check");
    expect(urlPathOf(path.join(API_DIR, "openapi.json", "route.ts"))).toBe("/api/v1/openapi.json");
  });

  it("finds the routes", () => {
    expect(routes.length).toBeGreaterThan(25);
    expect(routes).toContain("POST /api/v1/conversions/whatsapp");
  });
});

describe("the OpenAPI document covers app/api/v1 exactly", () => {
  it("documents every exported method of every route.ts", () => {
    const undocumented = routes.filter((r) => !registered.includes(r));
    expect(undocumented, "add these to lib/openapi/operations.ts").toEqual([]);
  });

  it("documents nothing that is not a route", () => {
    const stale = registered.filter((r) => !routes.includes(r));
    expect(stale, "these operations have no route file exporting the method").toEqual([]);
  });

  it("documents each operation once, and the document holds exactly the registry", () => {
    expect(new Set(registered).size).toBe(registered.length);
    expect([...documented].sort()).toEqual([...registered].sort());
  });
});
