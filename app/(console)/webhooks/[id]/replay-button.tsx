"use client";

import { RotateCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { replayWebhookEventAction } from "../actions";

export function ReplayButton({ id, variant = "default" }: { id: string; variant?: "default" | "outline" }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const replay = () =>
    startTransition(async () => {
      const result = await replayWebhookEventAction({ id });
      if (!result.ok) toast.error(result.error);
      else if (result.data.status === "processed") toast.success("Replayed: every item of the event is applied.");
      else if (result.data.status === "unrouted") toast.warning("Replayed, still unrouted: part of it names a Phone Number ID that is not connected here.");
      else toast.error(`Replayed, and it failed again: ${result.data.error ?? "unknown error"}`, { duration: 10_000 });
      router.refresh();
    });
  return (
    <Button type="button" variant={variant} onClick={replay} disabled={pending} aria-busy={pending}>
      {pending ? <Spinner /> : <RotateCw aria-hidden />}
      {pending ? "Replaying…" : "Replay"}
    </Button>
  );
}
