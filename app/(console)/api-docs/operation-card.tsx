import { CopyButton } from "@/components/console/copy-button";
import { Facts } from "@/components/console/facts";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { type OpenApiDocument, type ResponseObject, STATUS_TEXT } from "@/lib/openapi/document";
import { ROLE_LABELS } from "@/lib/roles";
import { type DocOperation, curlCommand, schemaView } from "@/lib/openapi/view";
import { DocText, InlineText } from "./doc-text";
import { MethodBadge, StatusCode } from "./method-badge";
import { DocTable, Rules, SchemaBlock } from "./schema-view";

const SCHEME_LABELS: Record<string, string> = { apiKey: "API key", session: "console session", cronSecret: "CRON_SECRET" };

function authLabel(operation: DocOperation["operation"]): string {
  const schemes = operation.security.flatMap((s) => Object.keys(s)).map((s) => SCHEME_LABELS[s] ?? s);
  if (schemes.length === 0) return "None (public)";
  const text = schemes.length === 1 ? schemes[0]! : `${schemes.slice(0, -1).join(", ")} or ${schemes[schemes.length - 1]}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const codeBlock =
  "max-h-96 overflow-auto rounded-md border bg-muted/50 p-3 font-mono text-xs leading-relaxed whitespace-pre focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none";

function SubHeading({ children }: { children: React.ReactNode }) {
  return <h4 className="text-sm font-semibold">{children}</h4>;
}

function Disclosure({ summary, children }: { summary: React.ReactNode; children: React.ReactNode }) {
  return (
    <details className="group">
      <summary className="w-fit cursor-pointer rounded-sm text-sm text-muted-foreground hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
        {summary}
      </summary>
      <div className="grid gap-2 pt-2">{children}</div>
    </details>
  );
}

type ErrorExample = { summary?: string; value: unknown };

/** An error response listed by its codes (the codes and example messages are shown below it). */
const isErrorList = (status: string, response: ResponseObject) =>
  !status.startsWith("2") && Object.keys(response.content?.["application/json"]?.examples ?? {}).length > 0;

function ResponseBody({ doc, status, response, label }: { doc: OpenApiDocument; status: string; response: ResponseObject; label: string }) {
  const components = doc.components.schemas;
  const entries = Object.entries(response.content ?? {});
  if (entries.length === 0) return null;
  return (
    <div className="grid gap-2">
      {entries.map(([type, media]) => {
        const examples = Object.values((media.examples ?? {}) as Record<string, ErrorExample>);
        if (isErrorList(status, response)) {
          return (
            <ul key={type} className="grid gap-1 text-sm">
              {examples.map((ex) => {
                const error = (ex.value as { error?: { code?: string; message?: string } }).error;
                return (
                  <li key={ex.summary}>
                    <code className="mr-2 rounded border bg-muted/50 px-1 font-mono text-xs font-medium">{error?.code}</code>
                    <span className="text-muted-foreground">{error?.message}</span>
                  </li>
                );
              })}
            </ul>
          );
        }
        return (
          <div key={type} className="grid gap-2">
            {type !== "application/json" ? (
              <p className="text-xs text-muted-foreground">
                <code className="font-mono">{type}</code>
              </p>
            ) : null}
            {media.schema && type === "application/json" ? (
              <Disclosure summary="Response fields">
                <SchemaBlock view={schemaView(media.schema, components)} label={`${label} ${status} response fields`} />
              </Disclosure>
            ) : null}
            {media.example !== undefined ? (
              <Disclosure summary="Example">
                <pre tabIndex={0} role="region" aria-label={`${label} ${status} example`} className={codeBlock}>
                  {JSON.stringify(media.example, null, 2)}
                </pre>
              </Disclosure>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

export function OperationCard({ doc, op }: { doc: OpenApiDocument; op: DocOperation }) {
  const { operation, method, path, anchor } = op;
  const components = doc.components.schemas;
  const label = `${method.toUpperCase()} ${path}`;
  const role = operation["x-required-role"];
  const body = operation.requestBody?.content["application/json"];
  const curl = curlCommand(doc, op);
  // the generator leaves `parameters` out of an operation that has none
  const parameters = operation.parameters ?? [];
  return (
    <section id={anchor} aria-labelledby={`${anchor}-title`} className="scroll-mt-6">
      <Card>
        <CardHeader className="gap-2 border-b">
          <h3 id={`${anchor}-title`} className="text-base leading-tight font-semibold">
            {operation.summary}
          </h3>
          <div className="flex min-w-0 flex-wrap items-center gap-2">
            <MethodBadge method={method} />
            <code className="min-w-0 font-mono text-sm break-all">{path}</code>
          </div>
        </CardHeader>
        <CardContent className="grid gap-5">
          <DocText text={operation.description} />
          <Facts
            rows={[
              ["Authentication", authLabel(operation)],
              ...(role ? ([["Role", `${ROLE_LABELS[role]} or higher (console sessions)`]] as [string, React.ReactNode][]) : []),
              [
                "Operation id",
                <code key="id" className="font-mono text-xs">
                  {operation.operationId}
                </code>,
              ],
            ]}
          />

          {parameters.length > 0 ? (
            <div className="grid gap-2">
              <SubHeading>Parameters</SubHeading>
              <DocTable
                label={`${label} parameters`}
                columns={["Name", "In", "Type", "Rules", "Description"]}
                widths={["w-[20%]", "w-[10%]", "w-[16%]", "w-[22%]"]}
              >
                {parameters.map((p) => {
                  const view = schemaView(p.schema, components);
                  return (
                    <tr key={`${p.in}-${p.name}`}>
                      <td>
                        <code className="font-mono text-xs font-medium break-all">{p.name}</code>
                        {p.required ? <span className="block text-xs text-muted-foreground">required</span> : null}
                      </td>
                      <td className="text-xs text-muted-foreground">{p.in}</td>
                      <td className="font-mono text-xs text-muted-foreground">{view.kind === "value" ? view.type : "object"}</td>
                      <td className="text-xs">
                        <Rules row={view.kind === "value" ? view : { enumValues: [], constraints: [] }} />
                      </td>
                      <td>{p.description ? <InlineText text={p.description} /> : <span className="text-muted-foreground">—</span>}</td>
                    </tr>
                  );
                })}
              </DocTable>
            </div>
          ) : null}

          {body?.schema ? (
            <div className="grid gap-2">
              <SubHeading>Request body</SubHeading>
              <p className="text-xs text-muted-foreground">
                <code className="font-mono">application/json</code>
              </p>
              <SchemaBlock view={schemaView(body.schema, components)} label={`${label} request body`} request />
            </div>
          ) : null}

          <div className="grid gap-2">
            <SubHeading>Responses</SubHeading>
            <ul className="grid divide-y rounded-md border">
              {Object.entries(operation.responses).map(([status, response]) => (
                <li key={status} className="grid gap-2 px-3 py-2.5 sm:grid-cols-[3.5rem_minmax(0,1fr)] sm:gap-3">
                  <StatusCode status={status} />
                  <div className="grid min-w-0 gap-2">
                    <p className="text-sm">
                      <InlineText text={isErrorList(status, response) ? (STATUS_TEXT[Number(status)] ?? response.description) : response.description} />
                    </p>
                    <ResponseBody doc={doc} status={status} response={response} label={label} />
                  </div>
                </li>
              ))}
            </ul>
          </div>

          <div className="grid gap-2">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <SubHeading>Example request</SubHeading>
              <CopyButton value={curl} label="Copy curl" />
            </div>
            <pre tabIndex={0} role="region" aria-label={`${label} curl example`} className={codeBlock}>
              {curl}
            </pre>
          </div>
        </CardContent>
      </Card>
    </section>
  );
}
