// A Cloud API number's approved message templates (GET /{waba-id}/message_templates?status=APPROVED), read
// with the number's own token, so a drip template can be bound to one for sends outside the 24-hour
// window. Only the body's parameters are ours to fill: templates whose header or buttons need a value
// of their own are listed, marked unsupported.
import { z } from "zod";
import type { Db } from "@/db/client";
import { getNumberById } from "@/db/queries";
import { numberAccessToken } from "@/lib/numbers/numbers";
import { AppError, notFound } from "@/lib/errors";
import { type GraphConfig, type GraphFailure, describeGraphFailure, graphRequest } from "@/lib/graph/client";

export type MetaTemplateDeps = { encryptionKey: string; graph: GraphConfig };

export type ApprovedMetaTemplate = {
  id: string | null;
  name: string;
  language: string;
  category: string | null;
  parameterFormat: "positional" | "named";
  /** the body text with its `{{1}}` / `{{name}}` placeholders */
  body: string | null;
  /** the body's parameters in order: "1", "2" … or names */
  parameters: string[];
  /** why a drip cannot send it (a header or button needs its own value), or null */
  unsupported: string | null;
};

const componentSchema = z.looseObject({
  type: z.string(),
  format: z.string().optional(),
  text: z.string().optional(),
  buttons: z.array(z.looseObject({ type: z.string().optional(), url: z.string().optional() })).optional(),
});
const templateSchema = z.looseObject({
  id: z.coerce.string().optional(),
  name: z.string(),
  language: z.string(),
  status: z.string().optional(),
  category: z.string().optional(),
  parameter_format: z.string().optional(),
  components: z.array(componentSchema).default([]),
});
const pageSchema = z.looseObject({
  data: z.array(templateSchema),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
export type MetaTemplateJson = z.input<typeof templateSchema>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct placeholders of a text, in order (numbered ones sorted by number). */
export function placeholdersOf(text: string): string[] {
  const found = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
  return found.every((p) => /^\d+$/.test(p)) ? found.sort((a, b) => Number(a) - Number(b)) : found;
}

function unsupportedReason(components: z.output<typeof componentSchema>[]): string | null {
  const header = components.find((c) => c.type.toUpperCase() === "HEADER");
  const format = header?.format?.toUpperCase() ?? "TEXT";
  if (header && format !== "TEXT") return `Its header is ${format === "IMAGE" ? "an image" : `a ${format.toLowerCase()}`}, which Clicktrail cannot supply`;
  if (header?.text && placeholdersOf(header.text).length > 0) return "Its header has a parameter; Clicktrail fills body parameters only";
  const buttons = components.filter((c) => c.type.toUpperCase() === "BUTTONS").flatMap((c) => c.buttons ?? []);
  if (buttons.some((b) => (b.url ?? "").includes("{{"))) return "A button's link has a parameter; Clicktrail fills body parameters only";
  return null;
}

/** One template of Meta's list as the editor shows it. */
export function toApprovedMetaTemplate(raw: MetaTemplateJson): ApprovedMetaTemplate {
  const t = templateSchema.parse(raw);
  const body = t.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? null;
  const parameters = body ? placeholdersOf(body) : [];
  const named = t.parameter_format ? t.parameter_format.toUpperCase() === "NAMED" : parameters.some((p) => !/^\d+$/.test(p));
  return {
    id: t.id ?? null,
    name: t.name,
    language: t.language,
    category: t.category ?? null,
    parameterFormat: named ? "named" : "positional",
    body,
    parameters,
    unsupported: unsupportedReason(t.components),
  };
}

function hint(e: GraphFailure): string {
  const text = describeGraphFailure(e);
  if (e.kind !== "graph") return text;
  if (e.code === 190) return `${text}. The access token was rejected: replace it on the number's page.`;
  if (e.code === 10 || e.code === 200 || (e.code !== null && e.code > 200 && e.code <= 299))
    return `${text}. The token needs the whatsapp_business_management permission.`;
  return text;
}

const MAX_PAGES = 10; // 1,000 templates: more than a WABA usually has approved

/** Approved templates of the number's WhatsApp Business Account, by name then language. */
export async function listApprovedMetaTemplates(
  db: Db,
  deps: MetaTemplateDeps,
  { tenantId, numberId }: { tenantId: string; numberId: string },
): Promise<{ numberId: string; wabaId: string; templates: ApprovedMetaTemplate[] }> {
  const number = await getNumberById(db, { tenantId, id: numberId });
  if (!number) throw notFound("Number");
  if (number.provider !== "cloud" || !number.wabaId) {
    throw new AppError(
      "unprocessable",
      `${number.label} is not a Meta Cloud API number: only those have approved message templates`,
      undefined,
      "number_not_cloud",
    );
  }
  const token = numberAccessToken(number, deps.encryptionKey);
  const found: ApprovedMetaTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await graphRequest(deps.graph, {
      path: `${number.wabaId}/message_templates`,
      token,
      query: { status: "APPROVED", fields: "id,name,language,status,category,parameter_format,components", limit: "100", ...(after ? { after } : {}) },
      schema: pageSchema,
    });
    if (!res.ok) {
      throw new AppError(
        "provider_error",
        `Meta did not return the approved templates: ${hint(res.error)}`,
        { graph: res.error.kind === "graph" ? res.error.raw : res.error },
        "graph_error",
      );
    }
    // the status filter is Meta's; checked again in case an answer carries others
    found.push(...res.data.data.filter((t) => !t.status || t.status.toUpperCase() === "APPROVED").map(toApprovedMetaTemplate));
    after = res.data.paging?.next ? res.data.paging.cursors?.after : undefined;
    if (!after) break;
  }
  found.sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
  return { numberId: number.id, wabaId: number.wabaId, templates: found };
}
