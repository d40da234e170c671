"use client";

import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { Button } from "@/components/ui/button";
import { deleteTemplateAction } from "./actions";

export function DeleteTemplateButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const remove = () =>
    startTransition(async () => {
      const result = await deleteTemplateAction({ id });
      if (!result.ok) return void toast.error(result.error, { duration: 10_000 });
      toast.success(`${result.data.name} was deleted`);
      router.push("/templates");
      router.refresh();
    });
  return (
    <ConfirmButton
      title={`Delete ${name}?`}
      description="The template and its revision history are deleted; messages already sent keep its name. A template with messages still waiting to be sent cannot be deleted: deactivate it instead."
      confirmLabel="Delete"
      onConfirm={remove}
    >
      <Button type="button" variant="outline" disabled={pending} className="text-destructive">
        <Trash2 aria-hidden />
        Delete
      </Button>
    </ConfirmButton>
  );
}
