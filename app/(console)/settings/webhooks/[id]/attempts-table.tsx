import { ErrorText } from "@/components/console/list-parts";
import { DateTime } from "@/components/console/formatted";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AttemptView } from "../view";

/** Each HTTP attempt: when, the status code, the latency, the start of the answer (scrollable), or the error. */
export function AttemptsTable({ attempts }: { attempts: AttemptView[] }) {
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Time</TableHead>
          <TableHead>Event</TableHead>
          <TableHead className="text-right">Status</TableHead>
          <TableHead className="text-right">Latency</TableHead>
          <TableHead>Answer</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {attempts.map((a) => (
          <TableRow key={a.id} data-testid="webhook-attempt-row" className="align-top">
            <TableCell className="text-muted-foreground">
              <DateTime value={a.attemptedAt} />
            </TableCell>
            <TableCell>
              <span className="block font-mono text-xs">{a.eventType}</span>
              <span className="block font-mono text-xs text-muted-foreground" title={a.eventId}>
                {a.eventId.slice(0, 8)}
              </span>
            </TableCell>
            <TableCell className="text-right font-mono text-xs">{a.statusCode ?? <span className="text-muted-foreground">—</span>}</TableCell>
            <TableCell className="text-right tabular-nums">{a.latencyMs} ms</TableCell>
            <TableCell className="max-w-md whitespace-normal">
              {a.error ? <ErrorText text={a.error} /> : null}
              {a.responseSnippet ? (
                <pre
                  data-testid="webhook-response-snippet"
                  tabIndex={0}
                  role="region"
                  aria-label="Response body (start)"
                  className="mt-1 max-h-32 overflow-auto rounded-md border bg-muted/50 p-2 font-mono text-xs whitespace-pre-wrap break-all"
                >
                  {a.responseSnippet}
                </pre>
              ) : a.error ? null : (
                <span className="text-muted-foreground">—</span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
