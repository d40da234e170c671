import { Download } from "lucide-react";
import { CopyButton } from "@/components/console/copy-button";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import type { OpenApiDocument } from "@/lib/openapi/document";
import { type TagGroup, operationsByTag } from "@/lib/openapi/view";
import { DocText } from "./doc-text";
import { MethodBadge } from "./method-badge";
import { OperationCard } from "./operation-card";

const tagAnchor = (tag: string) => `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;

function OperationIndex({ groups }: { groups: TagGroup[] }) {
  return (
    <ul className="grid gap-4 text-sm">
      {groups.map((g) => (
        <li key={g.tag} className="grid gap-1">
          <a
            href={`#${tagAnchor(g.tag)}`}
            className="rounded-sm text-xs font-medium tracking-wide text-muted-foreground uppercase hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          >
            {g.tag}
          </a>
          <ul className="grid gap-0.5">
            {g.operations.map((op) => (
              <li key={op.anchor}>
                <a
                  href={`#${op.anchor}`}
                  className="flex items-start gap-2 rounded-md px-1.5 py-1 leading-snug hover:bg-accent hover:text-accent-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
                  title={`${op.method.toUpperCase()} ${op.path}`}
                >
                  <MethodBadge method={op.method} size="sm" />
                  <span className="min-w-0">{op.operation.summary}</span>
                </a>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

/** The whole reference: how to start, an index of operations, and every operation grouped by tag. */
export function ApiReference({ doc }: { doc: OpenApiDocument }) {
  const groups = operationsByTag(doc);
  const baseUrl = doc.servers[0]?.url ?? "";

  return (
    <div className="grid gap-6">
      <PageHeader
        className="pb-0"
        title="API reference"
        description={`${doc.info.title} ${doc.info.version}: every /api/v1 endpoint, generated from the schemas the server validates requests with.`}
        actions={
          <Button asChild variant="outline">
            <a href="/api/v1/openapi.json" download="clicktrail-openapi.json">
              <Download aria-hidden />
              OpenAPI JSON
            </a>
          </Button>
        }
      />

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Getting started</h2>
          </CardTitle>
          <CardDescription>
            Import <code className="font-mono text-xs">/api/v1/openapi.json</code> (OpenAPI 3.1, no sign-in needed) into Postman, Insomnia or a client
            generator.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <div className="grid gap-1.5">
            <span className="text-sm font-medium" id="base-url-label">
              Base URL
            </span>
            <div className="flex items-center gap-2 rounded-md border bg-muted/50 p-2">
              <code className="min-w-0 flex-1 font-mono text-sm break-all select-all">{baseUrl}</code>
              <CopyButton value={baseUrl} label="Copy URL" />
            </div>
          </div>
          <DocText text={doc.info.description} />
        </CardContent>
      </Card>

      <details className="rounded-xl border bg-card px-4 py-3 xl:hidden">
        <summary className="cursor-pointer rounded-sm text-sm font-medium focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
          Operations
        </summary>
        <nav aria-label="Operations" className="pt-3">
          <OperationIndex groups={groups} />
        </nav>
      </details>

      <div className="grid gap-8 xl:grid-cols-[13rem_minmax(0,1fr)]">
        <nav aria-label="Operations" className="hidden xl:block">
          <div className="sticky top-6 max-h-[calc(100vh-3rem)] overflow-y-auto pr-1">
            <OperationIndex groups={groups} />
          </div>
        </nav>
        <div className="grid min-w-0 gap-10">
          {groups.map((g) => (
            <section key={g.tag} aria-labelledby={tagAnchor(g.tag)} className="grid gap-4">
              <div className="grid gap-1">
                <h2 id={tagAnchor(g.tag)} className="scroll-mt-6 text-lg font-semibold tracking-tight">
                  {g.tag}
                </h2>
                {g.description ? <p className="text-sm text-muted-foreground">{g.description}</p> : null}
              </div>
              {g.operations.map((op) => (
                <OperationCard key={op.anchor} doc={doc} op={op} />
              ))}
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
