// Every test file: each answer an /api/v1 route gives (lib/api/serve.ts reports them) is checked against the
// OpenAPI document, and the file fails if one does not match, so the document cannot drift from the code.
// Loaded lazily: files that call no route pay nothing.
import { afterAll } from "vitest";
import type { ApiObserver } from "@/lib/api/serve";

const checks: Promise<string | null>[] = [];
const observer: ApiObserver = (op, _req, res) => {
  const copy = res.clone();
  checks.push(import("./validate").then(({ contractViolation }) => contractViolation(op, copy)));
};
(globalThis as unknown as { __clicktrailApiObserver?: ApiObserver }).__clicktrailApiObserver = observer;

afterAll(async () => {
  const violations = (await Promise.all(checks.splice(0))).filter((v): v is string => v !== null);
  if (violations.length > 0) {
    const unique = [...new Set(violations)];
    throw new Error(`${unique.length} answer(s) do not match the OpenAPI document (lib/openapi/operations-*.ts):\n${unique.join("\n")}`);
  }
});
