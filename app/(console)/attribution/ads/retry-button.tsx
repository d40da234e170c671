"use client";

import { RotateCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { retryAdAction } from "./actions";

export function RetryAdButton({ adId }: { adId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      type="button"
      size="sm"
      variant="outline"
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          const result = await retryAdAction({ adId });
          if (!result.ok) return void toast.error(result.error);
          toast.success(result.data.queued ? "Queued: the ad's details are fetched within a minute" : "Already queued");
          router.refresh();
        })
      }
    >
      <RotateCw aria-hidden className={pending ? "animate-spin" : undefined} />
      Retry
    </Button>
  );
}
