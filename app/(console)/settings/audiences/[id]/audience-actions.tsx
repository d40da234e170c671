"use client";

import { Pencil, Save, Unlink } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Controller } from "react-hook-form";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { disconnectAudienceAction, updateAudienceAction } from "../actions";
import { type EditFormValues, editFormSchema, setFilters } from "../form-schema";
import { SegmentFields } from "../segment-fields";
import type { AudienceView, SegmentOptions } from "../view";

function EditForm({ audience, options, onDone }: { audience: AudienceView; options: SegmentOptions; onDone: () => void }) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: editFormSchema,
    defaultValues: { name: audience.name, segment: audience.segment } as EditFormValues,
    action: (values: EditFormValues) => updateAudienceAction({ id: audience.id, name: values.name, segment: setFilters(values.segment) }),
    onSuccess: () => {
      toast.success("Audience saved");
      onDone();
    },
  });
  const { errors } = form.formState;
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4" data-testid="audience-edit-form">
      <FormField id="edit-audience-name" label="Name" required description="Our label for it; Meta's audience keeps its own name." error={errors.name?.message}>
        <Input
          id="edit-audience-name"
          maxLength={200}
          aria-invalid={!!errors.name}
          aria-describedby={fieldDescribedBy("edit-audience-name", { description: true, error: errors.name })}
          {...form.register("name")}
        />
      </FormField>
      <Controller
        control={form.control}
        name="segment"
        render={({ field }) => (
          <SegmentFields
            idPrefix="edit"
            value={field.value}
            onChange={field.onChange}
            options={options}
            disabled={pending}
            error={(errors.segment as { message?: string } | undefined)?.message}
          />
        )}
      />
      <p className="text-xs text-muted-foreground">
        A new segment starts a full sync: people who no longer match are removed from the audience, new matches added.
      </p>
      <FormError message={formError} />
      <div className="flex justify-end">
        <Button type="submit" disabled={pending}>
          {pending ? <Spinner /> : <Save aria-hidden />}
          Save
        </Button>
      </div>
    </form>
  );
}

function EditAudienceDialog({ audience, options }: { audience: AudienceView; options: SegmentOptions }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm">
          <Pencil aria-hidden />
          Edit segment
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90dvh] overflow-y-auto sm:max-w-3xl">
        <DialogHeader>
          <DialogTitle>Edit the audience</DialogTitle>
          <DialogDescription>Who goes into {audience.name}: the same filters as the subscriber list.</DialogDescription>
        </DialogHeader>
        {open ? <EditForm audience={audience} options={options} onDone={() => setOpen(false)} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function DisconnectButton({ audience }: { audience: AudienceView }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const run = () =>
    start(async () => {
      const r = await disconnectAudienceAction({ id: audience.id });
      if (!r.ok) return void toast.error(r.error);
      toast.success(`${audience.name} disconnected; the audience stays in your ad account`);
      router.push("/settings/audiences");
    });
  return (
    <ConfirmButton
      title="Disconnect this audience?"
      description={`Clicktrail stops adding and removing people in it and forgets its token and members list here. The audience itself stays in ad account act_${audience.adAccountId} with the people already in it: delete it in Ads Manager if you no longer want it.`}
      confirmLabel="Disconnect"
      onConfirm={run}
    >
      <Button variant="outline" size="sm" className="text-destructive" disabled={pending}>
        {pending ? <Spinner /> : <Unlink aria-hidden />}
        Disconnect
      </Button>
    </ConfirmButton>
  );
}

/** The detail page's header buttons: edit the segment, disconnect. */
export function AudienceActions({ audience, options }: { audience: AudienceView; options: SegmentOptions }) {
  return (
    <>
      <EditAudienceDialog audience={audience} options={options} />
      <DisconnectButton audience={audience} />
    </>
  );
}
