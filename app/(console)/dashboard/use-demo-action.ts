"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action";
import { loadDemoDataAction } from "./actions";

/** Loading or removing the demo (the dashboard's first-run card, Settings): the action, a toast, fresh counts. */
export function useDemoAction<T>(action: () => Promise<ActionResult<T>>, success: (data: T) => string): { run: () => void; pending: boolean } {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, start] = useTransition();
  const run = () =>
    start(async () => {
      const result = await action();
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      toast.success(success(result.data));
      await queryClient.invalidateQueries({ queryKey: ["dashboard"] });
      router.refresh();
    });
  return { run, pending };
}

export function useLoadDemo(): { loadDemo: () => void; pending: boolean } {
  const { run, pending } = useDemoAction(
    () => loadDemoDataAction({}),
    (d) => (d.skipped ? "Demo data was already loaded." : `Loaded ${d.subscribers} demo subscribers and ${d.conversations} conversations.`),
  );
  return { loadDemo: run, pending };
}
