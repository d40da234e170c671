"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, Play, RotateCw, Undo2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { formatCount } from "@/components/console/format";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import type { ActionResult } from "@/lib/action";
import { cancelLeadQueueAction, cancelQueueRowAction, retryQueueRowAction, runNowAction } from "./actions";
import { QUEUE_STATS_KEY } from "./queue-monitor";

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;

/** Runs a server action; a failed result is toasted; afterwards the figures are polled and the page re-rendered. */
function useQueueAction<I, T>(action: (input: I) => Promise<ActionResult<T>>, onDone: (data: T) => void) {
  const router = useRouter();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (input: I) => {
      const result = await action(input);
      if (!result.ok) throw new Error(result.error);
      return result.data;
    },
    onSuccess: onDone,
    onError: (e) => toast.error(e.message),
    onSettled: async () => {
      router.refresh();
      await client.invalidateQueries({ queryKey: [QUEUE_STATS_KEY] });
    },
  });
}

const ROW_ACTIONS = {
  retry: { label: "Retry", icon: RotateCw, done: "Back in the queue: it is due now and goes out on the next run." },
  cancel: { label: "Cancel", icon: Ban, done: "Cancelled: this message will not be sent." },
  // a manager's own cancellation is not a failure to retry: it is undone
  requeue: { label: "Queue again", icon: Undo2, done: "Queued again: it is due now and goes out on the next run." },
} as const;

/** Retry (failed, skipped), Cancel (pending) or Queue again (cancelled by a manager) on one row. */
export function RowAction({ id, kind, what }: { id: string; kind: keyof typeof ROW_ACTIONS; what: string }) {
  const a = ROW_ACTIONS[kind];
  const m = useQueueAction(kind === "cancel" ? cancelQueueRowAction : retryQueueRowAction, () => toast.success(a.done));
  const Icon = a.icon;
  return (
    <Button
      type="button"
      variant="outline"
      size="sm"
      onClick={() => m.mutate({ id })}
      disabled={m.isPending}
      aria-busy={m.isPending}
      aria-label={`${a.label} ${what}`}
    >
      {m.isPending ? <Spinner /> : <Icon aria-hidden />}
      {a.label}
    </Button>
  );
}

/** "Cancel all for this lead": every pending message of the lead, after a confirmation. */
export function CancelLeadButton({ leadId, leadName, pending }: { leadId: string; leadName: string; pending: number }) {
  const m = useQueueAction(cancelLeadQueueAction, ({ cancelled }) =>
    cancelled > 0
      ? toast.success(`Cancelled ${plural(cancelled, "pending message")} for ${leadName}.`)
      : toast.info(`${leadName} had no pending messages left.`),
  );
  return (
    <ConfirmButton
      title={`Cancel all pending messages for ${leadName}?`}
      description={`${plural(pending, "pending message")} will not be sent. Sent messages stay as they are; a cancelled message can be queued again one by one later.`}
      confirmLabel="Cancel all"
      onConfirm={() => m.mutate({ leadId })}
    >
      <Button type="button" variant="outline" size="sm" disabled={m.isPending || pending === 0} aria-busy={m.isPending}>
        {m.isPending ? <Spinner /> : <Ban aria-hidden />}
        Cancel all for this lead
      </Button>
    </ConfirmButton>
  );
}

/** Admin: the scheduled run (webhooks, drip, jobs) now, instead of waiting for the next tick; toasts the drip counts. */
export function RunNowButton() {
  const m = useQueueAction(runNowAction, (r) => {
    const counts = `${r.claimed} claimed, ${r.sent} sent, ${r.skipped} skipped, ${r.failed} failed, ${r.retried} retried, ${r.cancelled} cancelled${r.deferred > 0 ? `, ${r.deferred} held for quiet hours` : ""}`;
    if (r.claimed === 0) toast.info(`Run finished: nothing was due (${counts}).`);
    else if (r.failed > 0 || r.skipped > 0) toast.warning(`Run finished: ${counts}.`);
    else toast.success(`Run finished: ${counts}.`);
  });
  return (
    <Button
      type="button"
      onClick={() => m.mutate({})}
      disabled={m.isPending}
      aria-busy={m.isPending}
      title="Send what is due now, as the every-minute run would"
    >
      {m.isPending ? <Spinner /> : <Play aria-hidden />}
      {m.isPending ? "Running…" : "Run now"}
    </Button>
  );
}
