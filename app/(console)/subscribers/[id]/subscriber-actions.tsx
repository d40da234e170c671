"use client";

import { Ban, CircleSlash, Tags, Undo2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { FilterSelect } from "@/components/console/filter-select";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import type { SubscriberPatch } from "@/lib/subscribers/manage";
import { updateSubscriberAction } from "./actions";

const STAGES = [
  { value: "prospect", label: "Prospect" },
  { value: "customer", label: "Customer" },
  { value: "repeat_customer", label: "Repeat customer" },
];

/** Lifecycle stage, tags, block / unblock and opt out, each saved at once with a toast. */
export function SubscriberActions({
  id,
  name,
  status,
  lifecycleState,
  tags,
}: {
  id: string;
  name: string;
  status: string;
  lifecycleState: string;
  tags: string[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [tagText, setTagText] = useState(tags.join(", "));
  const [tagError, setTagError] = useState<string | null>(null);
  const save = (patch: SubscriberPatch, done: string) =>
    startTransition(async () => {
      const result = await updateSubscriberAction({ id, patch });
      if (!result.ok) {
        const field = result.fieldErrors && Object.entries(result.fieldErrors).find(([, v]) => v?.length);
        if (patch.tags && field) setTagError(field[1]![0]!);
        toast.error(result.error);
        return;
      }
      setTagError(null);
      toast.success(done);
      router.refresh();
    });
  const tagList = tagText
    .split(/[,\n]/)
    .map((t) => t.trim())
    .filter(Boolean);

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <FilterSelect
          id="lifecycle"
          label="Lifecycle stage"
          anyLabel="Lead"
          value={lifecycleState === "lead" ? undefined : lifecycleState}
          options={STAGES}
          disabled={pending}
          onChange={(v) =>
            save(
              { lifecycleState: (v ?? "lead") as SubscriberPatch["lifecycleState"] },
              `${name} is now a ${(STAGES.find((s) => s.value === v)?.label ?? "Lead").toLowerCase()}`,
            )
          }
        />
        {status === "blocked" ? (
          <Button type="button" variant="outline" size="sm" disabled={pending} onClick={() => save({ status: "active" }, `${name} is unblocked`)}>
            <Undo2 aria-hidden />
            Unblock
          </Button>
        ) : (
          <ConfirmButton
            title={`Block ${name}?`}
            description="Nothing will be sent to a blocked subscriber, and their pending drip messages are cancelled. You can unblock them later."
            confirmLabel="Block"
            onConfirm={() => save({ status: "blocked" }, `${name} is blocked`)}
          >
            <Button type="button" variant="outline" size="sm" disabled={pending}>
              <Ban aria-hidden />
              Block
            </Button>
          </ConfirmButton>
        )}
        {status !== "opted_out" ? (
          <ConfirmButton
            title={`Opt ${name} out?`}
            description="Record that this person asked not to be messaged: their pending drip messages are cancelled and nothing more is sent. Only they can opt back in, by sending START."
            confirmLabel="Opt out"
            onConfirm={() => save({ status: "opted_out" }, `${name} is opted out`)}
          >
            <Button type="button" variant="outline" size="sm" disabled={pending}>
              <CircleSlash aria-hidden />
              Opt out
            </Button>
          </ConfirmButton>
        ) : null}
        {pending ? <Spinner /> : null}
      </div>
      <form
        className="grid gap-1.5"
        onSubmit={(e) => {
          e.preventDefault();
          save({ tags: tagList }, "Tags saved");
        }}
      >
        <Label htmlFor="tags">Tags</Label>
        <div className="flex gap-2">
          <Input
            id="tags"
            value={tagText}
            onChange={(e) => setTagText(e.target.value)}
            placeholder="vip, course A"
            aria-invalid={tagError ? true : undefined}
            aria-describedby={tagError ? "tags-error" : "tags-hint"}
            className="h-8"
          />
          <Button type="submit" size="sm" variant="outline" disabled={pending}>
            <Tags aria-hidden />
            Save tags
          </Button>
        </div>
        {tagError ? (
          <p id="tags-error" className="text-xs text-destructive">
            {tagError}
          </p>
        ) : (
          <p id="tags-hint" className="text-xs text-muted-foreground">
            Separate tags with commas.
          </p>
        )}
      </form>
    </div>
  );
}
