"use client";

import { Pause, Pencil, Play, PlugZap, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { deleteNumberAction, setNumberActiveAction, testConnectionAction } from "../actions";

export function TestConnectionButton({ id }: { id: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const test = () =>
    startTransition(async () => {
      const result = await testConnectionAction({ id });
      if (!result.ok) toast.error(result.error);
      else if (result.data.status === "connected") toast.success(result.data.message);
      else if (result.data.status === "error") toast.error(`Connection test failed: ${result.data.message}`);
      else toast.info(result.data.message);
      router.refresh();
    });
  return (
    <Button type="button" onClick={test} disabled={pending}>
      {pending ? <Spinner /> : <PlugZap aria-hidden />}
      {pending ? "Testing…" : "Test connection"}
    </Button>
  );
}

export function NumberLifecycle({ id, label, active }: { id: string; label: string; active: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const toggle = () =>
    startTransition(async () => {
      const result = await setNumberActiveAction({ id, active: !active });
      if (!result.ok) return void toast.error(result.error);
      toast.success(result.data ? `${label} is active again` : `${label} is inactive: it sends nothing, webhooks are still stored`);
      router.refresh();
    });
  const remove = () =>
    startTransition(async () => {
      const result = await deleteNumberAction({ id });
      if (!result.ok) return void toast.error(result.error, { duration: 10_000 });
      toast.success(`${label} was deleted`);
      router.push("/numbers");
      router.refresh();
    });
  return (
    <div className="flex flex-wrap gap-2">
      <Button asChild variant="outline">
        <Link href={`/numbers/${id}/edit`}>
          <Pencil aria-hidden />
          Edit
        </Link>
      </Button>
      <Button type="button" variant="outline" onClick={toggle} disabled={pending}>
        {pending ? <Spinner /> : active ? <Pause aria-hidden /> : <Play aria-hidden />}
        {active ? "Deactivate" : "Reactivate"}
      </Button>
      <ConfirmButton
        title={`Delete ${label}?`}
        description="Only a number with no subscribers, messages, webhooks or leads can be deleted. A number with history can be deactivated instead: it keeps its history and sends nothing."
        confirmLabel="Delete"
        onConfirm={remove}
      >
        <Button type="button" variant="outline" disabled={pending} className="text-destructive">
          <Trash2 aria-hidden />
          Delete
        </Button>
      </ConfirmButton>
    </div>
  );
}
