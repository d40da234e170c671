import { AlertTriangle, FileText, Plus, Variable } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { KeysetPager, ListNotice } from "@/components/console/list-parts";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { loadPageOrFirst } from "@/lib/pagination";
import { filterTextSchema } from "@/lib/query-params";
import { hasRole } from "@/lib/roles";
import { loadTemplateList } from "@/lib/templates/editor";
import { formatDelay, MAX_SEGMENT_LENGTH } from "@/lib/templates/schemas";
import { urlCursor } from "@/lib/url-filters";
import { ActiveSwitch, TemplateFilters, templatesHref } from "../list-parts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Templates" };

const searchSchema = z.object({
  active: z.enum(["true", "false"]).optional().catch(undefined),
  segment: filterTextSchema(MAX_SEGMENT_LENGTH).min(1).optional().catch(undefined),
});

function NoTemplates({ canManage }: { canManage: boolean }) {
  return (
    <EmptyState
      icon={FileText}
      title="No templates yet"
      className="[&>div]:max-w-2xl"
      description={
        <>
          Templates are the WhatsApp messages of the drip. When a manager marks a lead &ldquo;target and interested&rdquo;, it gets every active template of its
          segment (and those for all segments), each sent its delay after that moment: Day 0 right away, Day 1 the next day, Day 3, Day 7&hellip; Write them
          with variables such as <code>{"{{first_name}}"}</code> or <code>{"{{instructor_name}}"}</code>, filled in for each lead.
          {canManage ? null : " Managers and admins write them."}
        </>
      }
      action={
        canManage ? (
          <Button asChild>
            <Link href="/templates/new">
              <Plus aria-hidden />
              New template
            </Link>
          </Button>
        ) : null
      }
    />
  );
}

export default async function TemplatesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const canManage = hasRole(user.role, "manager");
  const raw = await searchParams;
  const filters = searchSchema.parse(raw);
  const db = await getDb();
  const loaded = await loadPageOrFirst(urlCursor(raw), (cursor) =>
    loadTemplateList(db, {
      tenantId: user.tenantId,
      cursor,
      limit: 50,
      active: filters.active === undefined ? undefined : filters.active === "true",
      appliesTo: filters.segment,
    }),
  );
  const {
    page: { page, segments },
    cursor,
  } = loaded;
  const filtered = Boolean(filters.active || filters.segment);

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Templates"
        description="The drip's WhatsApp messages, in the order a lead gets them after a manager marks it “target and interested”."
        actions={
          <>
            <Button asChild variant="outline">
              <Link href="/templates/variables">
                <Variable aria-hidden />
                Variables
              </Link>
            </Button>
            {canManage ? (
              <Button asChild>
                <Link href="/templates/new">
                  <Plus aria-hidden />
                  New template
                </Link>
              </Button>
            ) : null}
          </>
        }
      />
      <ListNotice text={loaded.cursorError} />
      {page.rows.length === 0 && !cursor && !filtered ? (
        <NoTemplates canManage={canManage} />
      ) : (
        <>
          <TemplateFilters values={filters} segments={segments} />
          {page.rows.length === 0 ? (
            <EmptyState icon={FileText} title="No template matches these filters" />
          ) : (
            <Card className="py-0">
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead>Template</TableHead>
                    <TableHead>When</TableHead>
                    <TableHead>Segment</TableHead>
                    <TableHead>Active</TableHead>
                    <TableHead>Meta template</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {page.rows.map((t) => (
                    <TableRow key={t.id} data-testid="template-row">
                      <TableCell>
                        <div className="grid gap-0.5">
                          <Link href={`/templates/${t.id}`} className="font-medium hover:underline">
                            {t.name}
                          </Link>
                          <span className="text-xs text-muted-foreground">{t.title}</span>
                          {t.unknownVariables.length > 0 ? (
                            <span className="inline-flex items-center gap-1 text-xs text-warning">
                              <AlertTriangle className="size-3.5" aria-hidden />
                              No value for {t.unknownVariables.map((v) => `{{${v}}}`).join(", ")}
                            </span>
                          ) : null}
                        </div>
                      </TableCell>
                      <TableCell className="whitespace-nowrap tabular-nums">{formatDelay(t.delayDays, t.delayHours)}</TableCell>
                      <TableCell>{t.segment ?? <span className="text-muted-foreground">All</span>}</TableCell>
                      <TableCell>
                        <ActiveSwitch id={t.id} name={t.name} active={t.active} disabled={!canManage} />
                      </TableCell>
                      <TableCell>
                        {t.metaTemplate ? (
                          <span className="inline-flex flex-wrap items-center gap-1.5">
                            <code className="text-xs">{t.metaTemplate.name}</code>
                            <Badge variant="outline">{t.metaTemplate.language}</Badge>
                            {t.metaTemplate.status && t.metaTemplate.status !== "APPROVED" ? (
                              <Badge variant="warning">{t.metaTemplate.status.toLowerCase()}</Badge>
                            ) : null}
                          </span>
                        ) : (
                          <span className="text-muted-foreground">—</span>
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Card>
          )}
        </>
      )}
      <KeysetPager firstHref={cursor ? templatesHref(filters) : null} nextHref={page.nextCursor && templatesHref({ ...filters, cursor: page.nextCursor })} />
    </div>
  );
}
