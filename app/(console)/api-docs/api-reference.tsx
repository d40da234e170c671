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

import Link from "next/link";

const tagAnchor = (tag: string) => `tag-${tagSlug(tag)}`;
/** A tag as the URL names it: "Outgoing webhooks" → "outgoing-webhooks". */
export const tagSlug = (tag: string) => tag.toLowerCase().replace(/[^a-z0-9]+/g, "-");
const tagHref = (tag: string, hash?: string) => `/api-docs?tag=${tagSlug(tag)}${hash ? `#${hash}` : ""}`;

// The document is built once per process (lib/openapi/document.ts); so is its grouping.
const grouped = new WeakMap<OpenApiDocument, TagGroup[]>();
function groupsOf(doc: OpenApiDocument): TagGroup[] {
  let groups = grouped.get(doc);
  if (!groups) {
    groups = operationsByTag(doc).filter((g) => g.operations.length > 0);
    grouped.set(doc, groups);
  }
  return groups;
}

function OperationIndex({ groups, current }: { groups: TagGroup[]; current: string }) {
  return (
    <ul className="grid gap-4 text-sm">
      {groups.map((g) => (
        <li key={g.tag} className="grid gap-1">
          <Link
            href={tagHref(g.tag)}
            aria-current={g.tag === current ? "true" : undefined}
            className="rounded-sm text-xs font-medium tracking-wide text-muted-foreground uppercase hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none aria-[current]:text-foreground"
          >
            {g.tag}
          </Link>
          <ul className="grid gap-0.5">
            {g.operations.map((op) => (
              <li key={op.anchor}>
                <Link
                  href={g.tag === current ? `#${op.anchor}` : tagHref(g.tag, op.anchor)}
                  className="flex items-start gap-2 rounded-md px-1.5 py-1 leading-snug hover:bg-accent hover:text-accent-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
                  title={`${op.method.toUpperCase()} ${op.path}`}
                >
                  <MethodBadge method={op.method} size="sm" />
                  <span className="min-w-0">{op.operation.summary}</span>
                </Link>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

/** The tags before and after this one. */
function TagPager({ groups, current }: { groups: TagGroup[]; current?: string }) {
  const i = groups.findIndex((g) => g.tag === current);
  const previous = i > 0 ? groups[i - 1] : undefined;
  const next = i >= 0 ? groups[i + 1] : undefined;
  if (!previous && !next) return null;
  return (
    <nav aria-label="More of the reference" className="flex flex-wrap justify-between gap-3 border-t pt-4 text-sm">
      {previous ? (
        <Link href={tagHref(previous.tag)} className="rounded-sm hover:underline focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
          ← {previous.tag}
        </Link>
      ) : (
        <span />
      )}
      {next ? (
        <Link href={tagHref(next.tag)} className="rounded-sm hover:underline focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
          {next.tag} →
        </Link>
      ) : null}
    </nav>
  );
}

/**
 * The reference: how to start, an index of every operation, and the operations of one tag (the first unless
 * `tag` names another). One tag a page keeps the page light: the whole document is over 1.5 MB of HTML.
 */
export function ApiReference({ doc, tag }: { doc: OpenApiDocument; tag?: string }) {
  const groups = groupsOf(doc);
  const group = groups.find((g) => tagSlug(g.tag) === tag) ?? groups[0];
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

      {/* the introduction opens the reference; a tag's own page goes straight to its operations */}
      {!tag ? (
        <>
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
        </>
      ) : null}

      <details className="rounded-xl border bg-card px-4 py-3 xl:hidden">
        <summary className="cursor-pointer rounded-sm text-sm font-medium focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
          Operations
        </summary>
        <nav aria-label="Operations" className="pt-3">
          <OperationIndex groups={groups} current={group?.tag ?? ""} />
        </nav>
      </details>

      <div className="grid gap-8 xl:grid-cols-[13rem_minmax(0,1fr)]">
        <nav aria-label="Operations" className="hidden xl:block">
          <div className="sticky top-6 max-h-[calc(100vh-3rem)] overflow-y-auto pr-1">
            <OperationIndex groups={groups} current={group?.tag ?? ""} />
          </div>
        </nav>
        <div className="grid min-w-0 gap-10">
          {group ? (
            <section key={group.tag} aria-labelledby={tagAnchor(group.tag)} className="grid gap-4">
              <div className="grid gap-1">
                <h2 id={tagAnchor(group.tag)} className="scroll-mt-6 text-lg font-semibold tracking-tight">
                  {group.tag}
                </h2>
                {group.description ? <p className="text-sm text-muted-foreground">{group.description}</p> : null}
              </div>
              {group.operations.map((op) => (
                <OperationCard key={op.anchor} doc={doc} op={op} />
              ))}
            </section>
          ) : null}
          <TagPager groups={groups} current={group?.tag} />
        </div>
      </div>
    </div>
  );
}
