"use client";

import { Ban, CircleSlash, Tags, Undo2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { formatMoney } from "@/components/console/format";
import { useFormatContext } from "@/components/console/formatted";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FilterSelect } from "@/components/console/filter-select";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { EVENT_NEEDING_VALUE, type LifecycleEventEntry, lifecycleValueSchema } from "@/lib/conversions/lifecycle-schema";
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
  lifecycleEvents = {},
}: {
  id: string;
  name: string;
  status: string;
  lifecycleState: string;
  tags: string[];
  /** the workspace's stage → Conversions API event map: a stage whose event carries a value asks for one first */
  lifecycleEvents?: Partial<Record<string, LifecycleEventEntry>>;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [tagText, setTagText] = useState(tags.join(", "));
  const [tagError, setTagError] = useState<string | null>(null);
  const [valueFor, setValueFor] = useState<string | null>(null); // the stage whose event value is being asked for
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
      setValueFor(null);
      const meta = result.data.meta;
      if (meta && !meta.sent) toast.warning(done, { description: meta.message });
      else toast.success(done, meta ? { description: meta.message } : undefined);
      router.refresh();
    });
  const stageLabel = (v: string | undefined) => STAGES.find((s) => s.value === v)?.label ?? "Lead";
  const moveTo = (v: string | undefined, lifecycleValue?: SubscriberPatch["lifecycleValue"]) =>
    save(
      { lifecycleState: (v ?? "lead") as SubscriberPatch["lifecycleState"], ...(lifecycleValue ? { lifecycleValue } : {}) },
      `${name} is now a ${stageLabel(v).toLowerCase()}`,
    );
  const carriesValue = (e: LifecycleEventEntry | undefined) => !!e && (e.value !== undefined || e.eventName === EVENT_NEEDING_VALUE);
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
          onChange={(v) => (v && carriesValue(lifecycleEvents[v]) ? setValueFor(v) : moveTo(v))}
        />
        {valueFor ? (
          <StageValueDialog
            stage={stageLabel(valueFor)}
            event={lifecycleEvents[valueFor]!}
            pending={pending}
            onCancel={() => setValueFor(null)}
            onConfirm={(lifecycleValue) => moveTo(valueFor, lifecycleValue)}
          />
        ) : null}
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

/** Before a move to a stage whose event carries a value: the manager may enter this sale's value (empty: the workspace's default). */
function StageValueDialog({
  stage,
  event,
  pending,
  onCancel,
  onConfirm,
}: {
  stage: string;
  event: LifecycleEventEntry;
  pending: boolean;
  onCancel: () => void;
  onConfirm: (value: SubscriberPatch["lifecycleValue"]) => void;
}) {
  const [value, setValue] = useState("");
  const [currency, setCurrency] = useState(event.currency ?? "USD");
  const { locale } = useFormatContext();
  const [error, setError] = useState<string | null>(null);
  const confirm = (e: React.FormEvent) => {
    e.preventDefault();
    const typed = value.trim().replace(",", ".");
    if (typed === "") return onConfirm(undefined);
    const parsed = /^\d+(\.\d{1,2})?$/.test(typed) ? lifecycleValueSchema.safeParse({ value: Number(typed), currency }) : null;
    if (!parsed?.success) return setError(parsed?.error.issues[0]?.message ?? "Enter the value as a number with at most 2 decimals, e.g. 149.90");
    onConfirm(parsed.data);
  };
  const fallback = event.value !== undefined ? formatMoney(event.value, event.currency, { locale }) : null;
  return (
    <Dialog open onOpenChange={(open) => (open ? null : onCancel())}>
      <DialogContent>
        <form onSubmit={confirm} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Move to {stage.toLowerCase()}?</DialogTitle>
            <DialogDescription>
              {`This sends ${event.eventName} to Meta for their latest ad conversation.`}{" "}
              {fallback ? `Leave the value empty to send the default, ${fallback}.` : null}
            </DialogDescription>
          </DialogHeader>
          <div className="flex flex-wrap items-start gap-3">
            <div className="grid gap-1.5">
              <Label htmlFor="stage-value">Value (optional)</Label>
              <Input
                id="stage-value"
                inputMode="decimal"
                placeholder={event.value !== undefined ? String(event.value) : "149.90"}
                value={value}
                onChange={(e) => setValue(e.target.value)}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? "stage-value-error" : undefined}
                className="w-36"
              />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="stage-currency">Currency</Label>
              <Input id="stage-currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} className="w-24 uppercase" />
            </div>
          </div>
          {error ? (
            <p id="stage-value-error" className="text-xs text-destructive">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onCancel} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? <Spinner /> : null}
              Move and send
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
