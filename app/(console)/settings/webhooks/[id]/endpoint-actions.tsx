"use client";

import { KeyRound, Pencil, Power, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { deleteEndpointAction, rotateEndpointSecretAction, setEndpointEnabledAction, updateEndpointAction } from "../actions";
import { EndpointForm } from "../endpoint-form";
import { SecretDialog } from "../secret-dialog";
import type { EndpointView, EventTypeOption } from "../view";

function EditEndpointDialog({ endpoint, eventTypes }: { endpoint: EndpointView; eventTypes: EventTypeOption[] }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm">
          <Pencil aria-hidden />
          Edit
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>Edit the endpoint</DialogTitle>
          <DialogDescription>A new URL is checked before it is saved. The signing secret stays the same.</DialogDescription>
        </DialogHeader>
        {open ? (
          <EndpointForm
            idPrefix="edit-endpoint"
            defaultValues={{ url: endpoint.url, description: endpoint.description ?? "", eventTypes: endpoint.eventTypes, enabled: endpoint.enabled }}
            eventTypes={eventTypes}
            action={(values) => updateEndpointAction({ ...values, id: endpoint.id })}
            submitLabel="Save"
            onSuccess={() => {
              setOpen(false);
              toast.success("Endpoint saved");
            }}
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}

function RotateSecretButton({ endpoint }: { endpoint: EndpointView }) {
  const [pending, start] = useTransition();
  const [secret, setSecret] = useState<string | null>(null);
  const rotate = () =>
    start(async () => {
      const r = await rotateEndpointSecretAction({ id: endpoint.id });
      if (r.ok) setSecret(r.data.secret);
      else toast.error(r.error);
    });
  return (
    <>
      <ConfirmButton
        title="Rotate the signing secret?"
        description="A new secret signs every delivery from now on. The current one keeps signing too for 24 hours, so you can update your receiver without losing events (rotating again within those 24 hours ends the older one at once)."
        confirmLabel="Rotate secret"
        onConfirm={rotate}
        tone="default"
      >
        <Button variant="outline" size="sm" disabled={pending}>
          {pending ? <Spinner /> : <KeyRound aria-hidden />}
          Rotate secret
        </Button>
      </ConfirmButton>
      <SecretDialog secret={secret} title="Copy the new signing secret" onClose={() => setSecret(null)} />
    </>
  );
}

function DeleteEndpointButton({ endpoint }: { endpoint: EndpointView }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const remove = () =>
    start(async () => {
      const r = await deleteEndpointAction({ id: endpoint.id });
      if (!r.ok) return void toast.error(r.error);
      toast.success("Endpoint deleted");
      router.push("/settings/webhooks");
    });
  return (
    <ConfirmButton
      title="Delete this endpoint?"
      description="Nothing more is sent to it, and its deliveries and attempts are deleted with it. This cannot be undone."
      confirmLabel="Delete endpoint"
      onConfirm={remove}
    >
      <Button variant="outline" size="sm" className="text-destructive" disabled={pending}>
        <Trash2 aria-hidden />
        Delete
      </Button>
    </ConfirmButton>
  );
}

/** Edit, rotate the secret, delete: the detail page's header buttons. */
export function EndpointActions({ endpoint, eventTypes }: { endpoint: EndpointView; eventTypes: EventTypeOption[] }) {
  return (
    <>
      <EditEndpointDialog endpoint={endpoint} eventTypes={eventTypes} />
      <RotateSecretButton endpoint={endpoint} />
      <DeleteEndpointButton endpoint={endpoint} />
    </>
  );
}

/** Switches the endpoint on or off ("Switch back on" after it was switched off for failing). */
export function EnableButton({ endpoint, label }: { endpoint: EndpointView; label: string }) {
  const [pending, start] = useTransition();
  const enabled = !endpoint.enabled;
  const run = () =>
    start(async () => {
      const r = await setEndpointEnabledAction({ id: endpoint.id, enabled });
      if (r.ok) toast.success(enabled ? "Endpoint switched on: its pending deliveries are retried now" : "Endpoint switched off");
      else toast.error(r.error);
    });
  return (
    <Button variant={enabled ? "default" : "outline"} size="sm" onClick={run} disabled={pending}>
      {pending ? <Spinner /> : <Power aria-hidden />}
      {label}
    </Button>
  );
}
