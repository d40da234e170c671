import type { Metadata } from "next";
import { requireUser } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { getOpenApiDocument } from "@/lib/openapi/document";
import { ApiReference } from "./api-reference";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API reference" };

// Any signed-in role may read the reference (the document itself is public at /api/v1/openapi.json).
export default async function ApiDocsPage() {
  await requireUser({ role: "marketer" });
  return <ApiReference doc={getOpenApiDocument(getEnv().APP_URL)} />;
}
