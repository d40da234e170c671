"use client";

import { Database, FlaskConical, Trash2 } from "lucide-react";
import { ConfirmButton } from "@/components/console/confirm-button";
import { formatCount } from "@/components/console/format";
import { DateTime } from "@/components/console/formatted";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import type { DemoCounts } from "@/db/queries/demo";
import { removeDemoDataAction } from "../dashboard/actions";
import { useDemoAction, useLoadDemo } from "../dashboard/use-demo-action";

const n = (count: number, one: string, many = `${one}s`) => `${formatCount(count)} ${count === 1 ? one : many}`;

/** What a removal deletes, in words, from the demo rows the workspace holds now. */
function describeDemoRows(c: DemoCounts): string {
  return [
    n(c.numbers, "demo number"),
    `${n(c.subscribers, "subscriber")} with ${n(c.conversations, "conversation")} and ${n(c.messages, "message")}`,
    n(c.ads, "ad"),
    `${n(c.leads, "lead")} with ${n(c.outboundMessages, "queued drip message")}`,
    n(c.conversions, "conversion"),
    n(c.templates, "drip template"),
    n(c.webhookEvents, "webhook event"),
  ].join(", ");
}

function RemoveDemoButton({ counts }: { counts: DemoCounts }) {
  const { run: remove, pending } = useDemoAction(
    () => removeDemoDataAction({}),
    ({ removed, kept }) => {
      const keptCount = kept.subscribers + kept.templates + kept.ads;
      return `Removed ${n(removed.subscribers, "demo subscriber")} and ${n(removed.numbers, "demo number")}${keptCount > 0 ? `; kept ${n(keptCount, "row")} your own data uses` : ""}.`;
    },
  );
  return (
    <ConfirmButton
      title="Remove the demo data?"
      description={`This deletes what Load demo data added: ${describeDemoRows(counts)}. Your own numbers, subscribers, leads, templates and everything else stay. A demo row your own data came to use is kept as yours: a demo subscriber who also wrote to one of your numbers, a template your leads' waiting messages use.`}
      confirmLabel="Remove demo data"
      onConfirm={remove}
    >
      <Button variant="outline" size="sm" className="text-destructive" disabled={pending}>
        {pending ? <Spinner /> : <Trash2 aria-hidden />}
        Remove demo data
      </Button>
    </ConfirmButton>
  );
}

/** Settings → Demo data: load the demo school into this workspace, or remove it again in one step. */
export function DemoDataSection({ loadedAt, counts }: { loadedAt: number | null; counts: DemoCounts }) {
  const { loadDemo, pending } = useLoadDemo();
  const present = loadedAt !== null || Object.values(counts).some((c) => c > 0);
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>Demo data</h2>
        </CardTitle>
        <CardDescription>
          {present ? (
            <>
              Loaded {loadedAt ? <DateTime value={loadedAt} /> : "earlier"}: {describeDemoRows(counts)}. Demo numbers are marked Demo and never contact Meta or
              Green API.
            </>
          ) : (
            "A demo school with ad-attributed chats, drip templates, leads and conversions, to look around. Everything it adds is marked as demo and can be removed here in one step."
          )}
        </CardDescription>
        <CardAction>
          {present ? (
            <RemoveDemoButton counts={counts} />
          ) : (
            <Button variant="outline" size="sm" onClick={loadDemo} disabled={pending}>
              {pending ? <Spinner /> : <Database aria-hidden />}
              Load demo data
            </Button>
          )}
        </CardAction>
      </CardHeader>
      {present ? (
        <CardContent className="flex items-center gap-2 text-sm text-muted-foreground">
          <FlaskConical className="size-4" aria-hidden />
          Messages queued for demo numbers are skipped with the reason “demo number”; connect a real number to send.
        </CardContent>
      ) : null}
    </Card>
  );
}
