// What an app/api/v1 route.ts exports: `export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/…")`.
// The operations come from the one list of declarations, so a route file cannot run something undocumented.
import { OPERATIONS } from "@/lib/openapi/operations";
import { serve } from "./serve";

export function serveAt(path: string): ReturnType<typeof serve> {
  return serve(...OPERATIONS.filter((op) => op.path === path));
}
