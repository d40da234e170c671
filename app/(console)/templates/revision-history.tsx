"use client";

import { History, RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { RelativeTime } from "@/components/console/formatted";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import { formatDelay, type TemplateSnapshot } from "@/lib/templates/schemas";
import { restoreRevisionAction } from "./actions";

export type RevisionItem = { revision: number; snapshot: TemplateSnapshot; createdBy: string | null; restoredFrom: number | null; createdAtMs: number };

const FIELD_LABELS: [keyof TemplateSnapshot, string][] = [
  ["content", "text"],
  ["title", "title"],
  ["name", "name"],
  ["delayDays", "delay"],
  ["delayHours", "delay"],
  ["segment", "segment"],
  ["active", "active"],
  ["metaTemplate", "Meta template"],
];

/** What changed since the revision before it, in words. */
function changesSince(current: TemplateSnapshot, previous: TemplateSnapshot | undefined): string {
  if (!previous) return "Created";
  const labels = FIELD_LABELS.filter(([k]) => JSON.stringify(current[k] ?? null) !== JSON.stringify(previous[k] ?? null)).map(([, label]) => label);
  const unique = [...new Set(labels)];
  return unique.length ? `Changed ${unique.join(", ")}` : "No change";
}

export function RevisionHistory({
  id,
  current,
  revisions,
  more,
  canEdit,
}: {
  id: string;
  current: number;
  revisions: RevisionItem[];
  more: boolean;
  canEdit: boolean;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const restore = (revision: number) =>
    startTransition(async () => {
      const result = await restoreRevisionAction({ id, revision });
      if (!result.ok) return void toast.error(result.error, { duration: 10_000 });
      toast.success(`Revision ${revision} restored as revision ${result.data.revision}`);
      router.refresh();
    });

  return (
    <Card data-testid="revision-history">
      <CardHeader>
        <CardTitle>
          <h2 className="flex items-center gap-2">
            <History className="size-4" aria-hidden />
            Revision history
          </h2>
        </CardTitle>
        <CardDescription>
          Every save is kept. Restoring brings an old version back as a new revision (whether the template is active stays as it is).
        </CardDescription>
      </CardHeader>
      <CardContent>
        <ol className="grid gap-3">
          {revisions.map((r, i) => (
            <li key={r.revision} className="rounded-lg border p-3" data-testid="revision" aria-label={`Revision ${r.revision}`}>
              <div className="flex flex-wrap items-center justify-between gap-2">
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="font-medium">Revision {r.revision}</span>
                  {r.revision === current ? <Badge variant="success">Current</Badge> : null}
                  <span className="text-muted-foreground">
                    <RelativeTime value={r.createdAtMs} />
                    {" · "}
                    {r.createdBy ?? "API key"}
                    {" · "}
                    {r.restoredFrom !== null ? `Restored revision ${r.restoredFrom}` : changesSince(r.snapshot, revisions[i + 1]?.snapshot)}
                  </span>
                </div>
                {canEdit && r.revision !== current ? (
                  <Button
                    type="button"
                    variant="outline"
                    size="sm"
                    onClick={() => restore(r.revision)}
                    disabled={pending}
                    aria-label={`Restore revision ${r.revision}`}
                  >
                    {pending ? <Spinner /> : <RotateCcw aria-hidden />}
                    Restore
                  </Button>
                ) : null}
              </div>
              <details className="mt-2 text-sm">
                <summary className="cursor-pointer text-muted-foreground hover:text-foreground">Show this version</summary>
                <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                  <dt className="text-muted-foreground">Name</dt>
                  <dd className="font-mono">{r.snapshot.name}</dd>
                  <dt className="text-muted-foreground">When</dt>
                  <dd>
                    {formatDelay(r.snapshot.delayDays, r.snapshot.delayHours)} · {r.snapshot.segment ?? "All segments"} ·{" "}
                    {r.snapshot.active ? "active" : "inactive"}
                  </dd>
                  <dt className="text-muted-foreground">Meta template</dt>
                  <dd>{r.snapshot.metaTemplate ? `${r.snapshot.metaTemplate.name} (${r.snapshot.metaTemplate.language})` : "—"}</dd>
                </dl>
                <p className="mt-2 rounded-md bg-muted/50 px-3 py-2 whitespace-pre-wrap">{r.snapshot.content}</p>
              </details>
            </li>
          ))}
        </ol>
        {more ? <p className="mt-3 text-xs text-muted-foreground">Older revisions: GET /api/v1/templates/{id}/revisions.</p> : null}
      </CardContent>
    </Card>
  );
}
