"use client";

import { AlertTriangle, Plus, Webhook } from "lucide-react";
import Link from "next/link";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Switch } from "@/components/ui/switch";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { createEndpointAction, setEndpointEnabledAction } from "./actions";
import { EndpointForm } from "./endpoint-form";
import { EndpointStatusBadge, EventTypeBadges } from "./endpoint-status";
import { SecretDialog } from "./secret-dialog";
import type { EndpointView, EventTypeOption } from "./view";

function AddEndpointDialog({ eventTypes, disabled }: { eventTypes: EventTypeOption[]; disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogTrigger asChild>
          <Button size="sm" disabled={disabled}>
            <Plus aria-hidden />
            Add endpoint
          </Button>
        </DialogTrigger>
        <DialogContent className="sm:max-w-2xl">
          <DialogHeader>
            <DialogTitle>Add a webhook endpoint</DialogTitle>
            <DialogDescription>Clicktrail POSTs each chosen event to this URL as signed JSON, retrying until it answers 2xx.</DialogDescription>
          </DialogHeader>
          {open ? (
            <EndpointForm
              idPrefix="new-endpoint"
              defaultValues={{ url: "", description: "", eventTypes: [], enabled: true }}
              eventTypes={eventTypes}
              action={createEndpointAction}
              submitLabel="Add endpoint"
              onSuccess={(created) => {
                setOpen(false);
                setSecret(created.secret);
                toast.success("Endpoint added");
              }}
            />
          ) : null}
        </DialogContent>
      </Dialog>
      <SecretDialog secret={secret} title="Copy the endpoint's signing secret" onClose={() => setSecret(null)} />
    </>
  );
}

function EnabledSwitch({ endpoint }: { endpoint: EndpointView }) {
  const [pending, start] = useTransition();
  const set = (enabled: boolean) =>
    start(async () => {
      const r = await setEndpointEnabledAction({ id: endpoint.id, enabled });
      if (r.ok) toast.success(enabled ? "Endpoint switched on" : "Endpoint switched off");
      else toast.error(r.error);
    });
  return <Switch checked={endpoint.enabled} disabled={pending} onCheckedChange={set} aria-label={`Enabled: ${endpoint.url}`} />;
}

export function EndpointsSection({ endpoints, eventTypes, max }: { endpoints: EndpointView[]; eventTypes: EventTypeOption[]; max: number }) {
  const switchedOff = endpoints.filter((e) => e.status === "disabled");
  return (
    <div className="grid gap-4">
      {switchedOff.map((e) => (
        <Alert key={e.id} variant="destructive" data-testid="webhook-disabled-alert">
          <AlertTriangle aria-hidden />
          <AlertTitle>
            <Link href={`/settings/webhooks/${e.id}`} className="underline underline-offset-2">
              {e.description ?? e.url}
            </Link>{" "}
            was switched off
          </AlertTitle>
          <AlertDescription>{e.disabledReason ?? "Its deliveries kept failing."} Fix the receiver, then switch it back on.</AlertDescription>
        </Alert>
      ))}
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Endpoints</h2>
          </CardTitle>
          <CardDescription>
            {endpoints.length} of {max} endpoints. Each has its own signing secret; open one to see its deliveries, resend, or rotate the secret.
          </CardDescription>
          <CardAction>
            <AddEndpointDialog eventTypes={eventTypes} disabled={endpoints.length >= max} />
          </CardAction>
        </CardHeader>
        <CardContent>
          {endpoints.length === 0 ? (
            <EmptyState
              icon={Webhook}
              title="No webhook endpoints yet"
              description="Add your CRM's or automation tool's URL to receive new subscribers, leads, conversions and more as they happen."
            />
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Endpoint</TableHead>
                  <TableHead>Events</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="w-0">On</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {endpoints.map((e) => (
                  <TableRow key={e.id} data-testid="webhook-endpoint-row">
                    <TableCell className="max-w-xs">
                      <Link href={`/settings/webhooks/${e.id}`} className="block truncate font-mono text-xs hover:underline" title={e.url}>
                        {e.url}
                      </Link>
                      {e.description ? <span className="block truncate text-sm text-muted-foreground">{e.description}</span> : null}
                    </TableCell>
                    <TableCell className="max-w-sm whitespace-normal">
                      <EventTypeBadges eventTypes={e.eventTypes} />
                    </TableCell>
                    <TableCell className="whitespace-normal">
                      <EndpointStatusBadge endpoint={e} />
                    </TableCell>
                    <TableCell>
                      <EnabledSwitch endpoint={e} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
