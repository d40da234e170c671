// The document covers the API exactly: every app/api/v1 route.ts serves declared operations of its own
// path (through lib/api/route.ts), every declared operation is served by its route file, and the document
// holds exactly the declarations. A route that answers something undeclared cannot exist.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { operationOf } from "@/lib/api/serve";
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

const key = (method: string, urlPath: string) => `${method.toUpperCase()} ${urlPath}`;
const CATCH_ALL = path.join(API_DIR, "[...path]", "route.ts");
const files = routeFiles(API_DIR).filter((file) => file !== CATCH_ALL);
const modules = await Promise.all(files.map(async (file) => ({ file, urlPath: urlPathOf(file), mod: (await import(file)) as Record<string, unknown> })));

describe("route discovery", () => {
  it("maps route files to URL paths", () => {
    expect(urlPathOf(path.join(API_DIR, "numbers", "[id]", "check", "route.ts"))).toBe("/api/v1/numbers/{id}/check");
    expect(urlPathOf(path.join(API_DIR, "openapi.json", "route.ts"))).toBe("/api/v1/openapi.json");
    expect(files.length).toBeGreaterThan(25);
  });
});

describe("app/api/v1 serves exactly the declared operations", () => {
  it("every method a route file exports runs a declared operation of its own path, or answers 405", async () => {
    const wrong: string[] = [];
    for (const { file, urlPath, mod } of modules) {
      for (const method of HTTP_METHODS) {
        const handler = mod[method.toUpperCase()];
        const op = operationOf(handler);
        if (typeof handler !== "function") wrong.push(`${path.relative(ROOT, file)} does not export ${method.toUpperCase()} (use serveAt)`);
        else if (op && !OPERATIONS.includes(op)) wrong.push(`${key(method, urlPath)} runs an operation that is not in OPERATIONS`);
        else if (op && (op.path !== urlPath || op.method !== method)) wrong.push(`${key(method, urlPath)} runs ${key(op.method, op.path)}`);
      }
      if (mod.dynamic !== "force-dynamic") wrong.push(`${path.relative(ROOT, file)} must export dynamic = "force-dynamic"`);
    }
    expect(wrong).toEqual([]);
  });

  it("every declared operation is served by its route file", () => {
    const served = new Set(modules.flatMap(({ mod }) => HTTP_METHODS.map((m) => operationOf(mod[m.toUpperCase()])).filter((op) => op !== undefined)));
    const unserved = OPERATIONS.filter((op) => !served.has(op)).map((op) => key(op.method, op.path));
    expect(unserved, "create the route file with serveAt(path)").toEqual([]);
  });

  it("undeclared methods answer 405 with Allow", async () => {
    const templates = modules.find((m) => m.urlPath === "/api/v1/templates/{id}")!.mod as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
    const res = await templates.POST!(new Request("http://t/api/v1/templates/x", { method: "POST" }), { params: Promise.resolve({ id: "x" }) });
    expect([res.status, res.headers.get("allow")]).toEqual([405, "GET, PATCH, DELETE, HEAD"]);
  });

  it("declares each operation once, and the document holds exactly the declarations", () => {
    const declared = OPERATIONS.map((op) => key(op.method, op.path));
    expect(new Set(declared).size).toBe(declared.length);
    expect(new Set(OPERATIONS.map((op) => op.operationId)).size).toBe(OPERATIONS.length);
    const doc = buildOpenApiDocument({ appUrl: "http://localhost:3000" });
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => HTTP_METHODS.filter((m) => item[m]).map((m) => key(m, p)));
    expect(documented.sort()).toEqual(declared.sort());
  });
});
