"use client";

import { RotateCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { retryConversionAction } from "../actions";

/** Queues a failed or rejected conversion again; it is sent right away and the page follows it. */
export function RetryButton({ id }: { id: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const retry = () =>
    startTransition(async () => {
      const result = await retryConversionAction({ id });
      if (!result.ok) toast.error(result.error);
      else toast.success("Queued again: sending it to Meta now.");
      router.refresh();
    });
  return (
    <Button type="button" onClick={retry} disabled={pending} aria-busy={pending}>
      {pending ? <Spinner /> : <RotateCw aria-hidden />}
      {pending ? "Retrying…" : "Retry"}
    </Button>
  );
}
