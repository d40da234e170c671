import type { Metadata } from "next";
import { BackLink } from "@/components/console/list-parts";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { loadEditorContext } from "@/lib/templates/editor";
import { TemplateEditor } from "../template-editor";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New template" };

export default async function NewTemplatePage() {
  const user = await requireUser({ role: "manager" });
  const context = await loadEditorContext(await getDb(), { tenantId: user.tenantId });
  return (
    <div className="grid gap-4">
      <BackLink href="/templates">Templates</BackLink>
      <PageHeader
        className="pb-2"
        title="New template"
        description="A message of the drip: leads marked “target and interested” from now on get it, its delay after that moment."
      />
      <TemplateEditor context={context} canEdit />
    </div>
  );
}
