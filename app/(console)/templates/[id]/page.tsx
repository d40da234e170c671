import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BackLink } from "@/components/console/list-parts";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { hasRole } from "@/lib/roles";
import { loadTemplatePage } from "@/lib/templates/editor";
import { RevisionHistory } from "../revision-history";
import { DeleteTemplateButton } from "../template-actions";
import { TemplateEditor } from "../template-editor";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Template" };

export default async function TemplatePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "marketer" });
  const canEdit = hasRole(user.role, "manager");
  const loaded = await loadTemplatePage(await getDb(), { tenantId: user.tenantId, id: (await params).id });
  if (!loaded) notFound();
  const { template, input, revisions, context } = loaded;

  return (
    <div className="grid gap-4">
      <BackLink href="/templates">Templates</BackLink>
      <PageHeader
        className="pb-2"
        title={
          <span className="flex flex-wrap items-center gap-3">
            <span className="font-mono">{template.name}</span>
            <Badge variant={template.active ? "success" : "secondary"}>{template.active ? "Active" : "Inactive"}</Badge>
            <Badge variant="outline">Revision {template.revision}</Badge>
          </span>
        }
        description={template.title}
        actions={canEdit ? <DeleteTemplateButton id={template.id} name={template.name} /> : null}
      />
      <TemplateEditor
        key={template.revision}
        template={{
          id: template.id,
          revision: template.revision,
          values: { ...input, segment: input.segment ?? "" },
          metaStatus: template.metaTemplate?.status ?? null,
        }}
        context={context}
        canEdit={canEdit}
      />
      <RevisionHistory
        id={template.id}
        current={template.revision}
        canEdit={canEdit}
        more={revisions.nextCursor !== null}
        revisions={revisions.rows.map((r) => ({
          revision: r.revision,
          snapshot: r.snapshot,
          createdBy: r.createdBy?.name ?? null,
          restoredFrom: r.restoredFrom,
          createdAtMs: r.createdAt.getTime(),
        }))}
      />
    </div>
  );
}
