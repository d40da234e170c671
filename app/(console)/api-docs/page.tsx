import type { Metadata } from "next";
import { z } from "zod";
import { requireUser } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { getOpenApiDocument } from "@/lib/openapi/document";
import { ApiReference } from "./api-reference";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API reference" };

const searchSchema = z.object({ tag: z.string().max(80).optional().catch(undefined) });

// Any signed-in role may read the reference (the document itself is public at /api/v1/openapi.json).
export default async function ApiDocsPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser({ role: "marketer" });
  const { tag } = searchSchema.parse(await props.searchParams);
  return <ApiReference doc={getOpenApiDocument(getEnv().APP_URL)} tag={tag} />;
}
