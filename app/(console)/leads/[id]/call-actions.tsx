"use client";

import { PhoneCall, PhoneMissed, Square, ThumbsDown, ThumbsUp } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import type { ActionResult } from "@/lib/action";
import { recordCallAction, stopCampaignAction } from "../actions";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The seed's call flow: "Called" asks "Target and interested?" (Yes starts the WhatsApp drip, No does not),
 * "No answer" is only recorded; "Stop campaign" (confirmed) cancels what is still pending.
 */
export function CallActions({ id, name, campaignActive, messageCount }: { id: string; name: string; campaignActive: boolean; messageCount: number }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [asking, setAsking] = useState(false);

  const run = <T,>(action: () => Promise<ActionResult<T>>, done: (data: T) => string) =>
    startTransition(async () => {
      const result = await action();
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      setAsking(false);
      toast.success(done(result.data));
      router.refresh();
    });

  const answer = (isTarget: boolean) =>
    run(
      () => recordCallAction({ id, callStatus: "called", isTarget }),
      ({ queued, cancelled, notQueued }) => {
        if (!isTarget) return `Recorded: ${name} is not interested.${cancelled > 0 ? ` ${plural(cancelled, "pending message")} cancelled.` : ""}`;
        if (notQueued) return `Marked target and interested, but nothing was queued. ${notQueued.message}.`;
        if (queued > 0) return `Campaign started: ${plural(queued, "WhatsApp message")} queued.`;
        return messageCount > 0
          ? "Marked target and interested. Its messages were queued before: each template is sent once per lead."
          : "Marked target and interested, but no message was queued: there is no active template for this lead's segment.";
      },
    );

  return (
    <div className="flex flex-wrap items-center gap-2">
      <Dialog open={asking} onOpenChange={(open) => !pending && setAsking(open)}>
        <DialogTrigger asChild>
          <Button type="button" disabled={pending}>
            <PhoneCall aria-hidden />
            Called
          </Button>
        </DialogTrigger>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Target and interested?</DialogTitle>
            <DialogDescription>
              You spoke to {name}. Yes starts the WhatsApp drip: the first message goes out with the next send run, the others on their days. No records that
              they are not interested, and nothing is sent.
            </DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button
              type="button"
              variant="ghost"
              disabled={pending}
              onClick={() =>
                run(
                  () => recordCallAction({ id, callStatus: "called" }),
                  () => "Recorded: called. Answer “Target and interested?” when you know.",
                )
              }
            >
              Not sure yet
            </Button>
            <Button type="button" variant="outline" disabled={pending} onClick={() => answer(false)}>
              <ThumbsDown aria-hidden />
              No, not interested
            </Button>
            <Button type="button" disabled={pending} aria-busy={pending} onClick={() => answer(true)} autoFocus>
              {pending ? <Spinner /> : <ThumbsUp aria-hidden />}
              Yes, target and interested
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
      <Button
        type="button"
        variant="outline"
        disabled={pending}
        onClick={() =>
          run(
            () => recordCallAction({ id, callStatus: "no_answer" }),
            () => "Recorded: no answer. Try again later.",
          )
        }
      >
        <PhoneMissed aria-hidden />
        No answer
      </Button>
      {campaignActive ? (
        <ConfirmButton
          title={`Stop the campaign for ${name}?`}
          description="Messages still waiting are cancelled and nothing more is sent to this lead. Messages already sent stay sent."
          confirmLabel="Stop campaign"
          onConfirm={() =>
            run(
              () => stopCampaignAction({ id }),
              ({ cancelled }) => `Campaign stopped: ${plural(cancelled, "pending message")} cancelled.`,
            )
          }
        >
          <Button type="button" variant="outline" disabled={pending}>
            <Square aria-hidden />
            Stop campaign
          </Button>
        </ConfirmButton>
      ) : null}
      {pending ? <Spinner /> : null}
    </div>
  );
}
