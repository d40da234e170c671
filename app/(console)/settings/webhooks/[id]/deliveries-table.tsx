"use client";

import { RotateCw } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { ErrorText } from "@/components/console/list-parts";
import { DateTime } from "@/components/console/formatted";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { resendDeliveryAction } from "../actions";
import type { DeliveryView } from "../view";

const STATUS: Record<DeliveryView["status"], { label: string; variant: "success" | "warning" | "destructive" | "secondary" }> = {
  succeeded: { label: "Delivered", variant: "success" },
  pending: { label: "Pending", variant: "secondary" },
  delivering: { label: "Sending", variant: "warning" },
  failed: { label: "Failed", variant: "destructive" },
};

function ResendButton({ delivery }: { delivery: DeliveryView }) {
  const [pending, start] = useTransition();
  const resend = () =>
    start(async () => {
      const r = await resendDeliveryAction({ id: delivery.id, endpointId: delivery.endpointId });
      if (r.ok) toast.success("Queued to be sent again now");
      else toast.error(r.error);
    });
  return (
    <Button variant="ghost" size="sm" onClick={resend} disabled={pending || delivery.status === "delivering"} aria-label={`Resend event ${delivery.eventId}`}>
      {pending ? <Spinner /> : <RotateCw aria-hidden />}
      Resend
    </Button>
  );
}

export function DeliveriesTable({ deliveries, canResend }: { deliveries: DeliveryView[]; canResend: boolean }) {
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Event</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="text-right">Tries</TableHead>
          <TableHead>Next try / delivered</TableHead>
          <TableHead>Last answer</TableHead>
          <TableHead className="w-0">
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {deliveries.map((d) => {
          const status = STATUS[d.status];
          return (
            <TableRow key={d.id} data-testid="webhook-delivery-row">
              <TableCell>
                <span className="block font-mono text-xs">{d.eventType}</span>
                <span className="block font-mono text-xs text-muted-foreground" title={d.eventId}>
                  {d.eventId.slice(0, 8)}
                </span>
              </TableCell>
              <TableCell>
                <Badge variant={status.variant}>{status.label}</Badge>
              </TableCell>
              <TableCell className="text-right tabular-nums">{d.attempts}</TableCell>
              <TableCell className="text-muted-foreground">
                {d.status === "succeeded" ? <DateTime value={d.deliveredAt} /> : d.status === "pending" ? <DateTime value={d.nextAttemptAt} /> : "—"}
              </TableCell>
              <TableCell className="max-w-xs whitespace-normal">
                {d.lastStatusCode !== null ? <span className="font-mono text-xs">HTTP {d.lastStatusCode}</span> : null}
                {d.lastError ? <ErrorText text={d.lastError} /> : d.lastStatusCode === null ? <span className="text-muted-foreground">—</span> : null}
              </TableCell>
              <TableCell>{canResend ? <ResendButton delivery={d} /> : null}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
