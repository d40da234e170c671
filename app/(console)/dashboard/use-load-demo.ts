"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { loadDemoDataAction } from "./actions";

/** Load demo data (the dashboard's first-run card and Settings): the action, a toast, fresh counts. */
export function useLoadDemo(): { loadDemo: () => void; pending: boolean } {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, start] = useTransition();
  const loadDemo = () =>
    start(async () => {
      const result = await loadDemoDataAction({});
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      toast.success(
        result.data.skipped ? "Demo data was already loaded." : `Loaded ${result.data.subscribers} demo subscribers and ${result.data.conversations} conversations.`,
      );
      await queryClient.invalidateQueries({ queryKey: ["dashboard"] });
      router.refresh();
    });
  return { loadDemo, pending };
}
