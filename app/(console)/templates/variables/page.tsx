import type { Metadata } from "next";
import { BackLink } from "@/components/console/list-parts";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { hasRole } from "@/lib/roles";
import { loadVariablesPage } from "@/lib/templates/editor";
import { segmentVariablesToRows } from "@/lib/templates/schemas";
import { VariablesForm } from "./variables-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Template variables" };

export default async function TemplateVariablesPage() {
  const user = await requireUser({ role: "marketer" });
  const canEdit = hasRole(user.role, "manager");
  const { variables, segments } = await loadVariablesPage(await getDb(), { tenantId: user.tenantId });

  return (
    <div className="grid gap-4">
      <BackLink href="/templates">Templates</BackLink>
      <PageHeader
        className="pb-2"
        title="Variables"
        description="What {{variables}} are filled with. Built-in ones come from the lead; the others are set per segment, e.g. the instructor of each course."
      />
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Built in</h2>
          </CardTitle>
          <CardDescription>Always available, taken from each lead.</CardDescription>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            {variables.builtin.map((b) => (
              <div key={b.name} className="contents">
                <dt className="font-mono">{`{{${b.name}}}`}</dt>
                <dd className="text-muted-foreground">{b.description}</dd>
              </div>
            ))}
          </dl>
        </CardContent>
      </Card>
      <VariablesForm rows={segmentVariablesToRows(variables.segments)} segments={segments} canEdit={canEdit} />
    </div>
  );
}
