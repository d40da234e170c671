// Per-segment template values (tenants.segment_variables), e.g. instructor_name for each course: the drip
// fills `{{instructor_name}}` with the value set for the lead's segment.
import type { Db } from "@/db/client";
import { getSegmentVariables, listBoundTemplates, setSegmentVariables } from "@/db/queries";
import { BUILTIN_VARIABLES } from "@/lib/drip/render";
import { AppError, notFound } from "@/lib/errors";
import { isBuiltinVariable, type SegmentVariables, segmentVariableNames } from "./schemas";

export type TemplateVariables = {
  /** always available: filled from the lead itself */
  builtin: { name: string; description: string }[];
  /** the values per segment */
  segments: SegmentVariables;
  /** every variable set for at least one segment */
  variables: string[];
};

export const BUILTIN_VARIABLE_LIST = Object.entries(BUILTIN_VARIABLES).map(([name, description]) => ({ name, description }));

function view(segments: SegmentVariables): TemplateVariables {
  return { builtin: BUILTIN_VARIABLE_LIST, segments, variables: segmentVariableNames(segments) };
}

export async function getTemplateVariables(db: Db, { tenantId }: { tenantId: string }): Promise<TemplateVariables> {
  const segments = await getSegmentVariables(db, tenantId);
  if (!segments) throw notFound("Workspace");
  return view(segments);
}

/**
 * Replaces every segment's values. A variable a Meta template binding still fills cannot disappear
 * (that template could no longer be sent): change the binding first.
 */
export async function updateSegmentVariables(db: Db, { tenantId, segments }: { tenantId: string; segments: SegmentVariables }): Promise<TemplateVariables> {
  return db.transaction(async (tx) => {
    if ((await getSegmentVariables(tx, tenantId, { lock: "update" })) === null) throw notFound("Workspace");
    const remaining = new Set(segmentVariableNames(segments));
    const stranded = (await listBoundTemplates(tx, tenantId)).flatMap((t) =>
      (t.metaTemplate?.parameters ?? [])
        .filter((p) => !isBuiltinVariable(p.variable) && !remaining.has(p.variable))
        .map((p) => ({ template: t.name, variable: p.variable })),
    );
    const first = stranded[0];
    if (first) {
      throw new AppError(
        "conflict",
        `${first.variable} fills a parameter of the Meta template bound to “${first.template}”: keep it for at least one segment, or change that binding first`,
        { inUse: stranded },
        "variable_in_use",
      );
    }
    const saved = await setSegmentVariables(tx, tenantId, segments);
    return view(saved ?? segments);
  });
}
