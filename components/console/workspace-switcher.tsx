"use client";

import { Building2, ChevronsUpDown, Plus } from "lucide-react";
import { useEffect, useState, useTransition } from "react";
import { toast } from "sonner";
import { FormError } from "@/components/console/form-error";
import { TextFields } from "@/components/console/text-fields";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Spinner } from "@/components/ui/spinner";
import { organisationSchema } from "@/lib/accounts/schemas";
import type { ActionResult } from "@/lib/action";
import { ROLE_LABELS } from "@/lib/roles";
import type { Role } from "@/lib/roles-types";

export type WorkspaceOption = { tenantId: string; tenantName: string; role: Role };
type Switched = { tenantId: string };

// Every console tab of this browser shares the active workspace (one cookie): a switch in one tab
// reloads the others, so none keeps showing, or submitting forms into, the workspace it left.
const CHANNEL = "clicktrail-workspace";

function enterWorkspace(tenantId: string) {
  if (typeof BroadcastChannel !== "undefined") {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ tenantId });
    channel.close();
  }
  // a full load: no client cache (react-query, router) carries the previous workspace's data over
  window.location.assign("/dashboard");
}

function useFollowOtherTabs(activeTenantId: string) {
  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (e: MessageEvent<{ tenantId?: unknown }>) => {
      if (e.data?.tenantId !== activeTenantId) window.location.assign("/dashboard");
    };
    return () => channel.close();
  }, [activeTenantId]);
}

export function WorkspaceSwitcher({
  workspaces,
  activeTenantId,
  canCreate,
  switchAction,
  createAction,
}: {
  workspaces: WorkspaceOption[];
  activeTenantId: string;
  /** admins of any workspace may create another */
  canCreate: boolean;
  switchAction: (input: { tenantId: string }) => Promise<ActionResult<Switched>>;
  createAction: (input: { name: string }) => Promise<ActionResult<Switched>>;
}) {
  const [pending, start] = useTransition();
  const [creating, setCreating] = useState(false);
  useFollowOtherTabs(activeTenantId);
  const active = workspaces.find((w) => w.tenantId === activeTenantId);
  const switchTo = (tenantId: string) => {
    if (tenantId === activeTenantId) return;
    start(async () => {
      const r = await switchAction({ tenantId });
      if (r.ok) enterWorkspace(r.data.tenantId);
      else toast.error(r.error);
    });
  };
  return (
    <>
      {/* not modal: the create dialog opens from an item without fighting the menu over focus */}
      <DropdownMenu modal={false}>
        <DropdownMenuTrigger
          className="flex w-full items-center gap-2 rounded-md p-1.5 text-left text-sm outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
          aria-label={`Workspace: ${active?.tenantName ?? ""}. Switch workspace`}
          data-testid="workspace-switcher"
          disabled={pending}
        >
          <Building2 className="size-4 shrink-0 text-muted-foreground" aria-hidden />
          <span className="min-w-0 flex-1">
            <span className="block truncate font-medium">{active?.tenantName}</span>
            {active ? <span className="block truncate text-xs text-muted-foreground">{ROLE_LABELS[active.role]}</span> : null}
          </span>
          {pending ? <Spinner /> : <ChevronsUpDown className="size-4 text-muted-foreground" aria-hidden />}
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" className="w-64">
          <DropdownMenuLabel>Workspaces</DropdownMenuLabel>
          <DropdownMenuRadioGroup value={activeTenantId} onValueChange={switchTo}>
            {workspaces.map((w) => (
              <DropdownMenuRadioItem key={w.tenantId} value={w.tenantId} disabled={pending}>
                <span className="min-w-0 flex-1 truncate">{w.tenantName}</span>
                <span className="text-xs text-muted-foreground">{ROLE_LABELS[w.role]}</span>
              </DropdownMenuRadioItem>
            ))}
          </DropdownMenuRadioGroup>
          {canCreate ? (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuItem onSelect={() => setCreating(true)}>
                <Plus aria-hidden />
                Create workspace
              </DropdownMenuItem>
            </>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>
      {canCreate ? <CreateWorkspaceDialog open={creating} onOpenChange={setCreating} createAction={createAction} /> : null}
    </>
  );
}

function CreateWorkspaceDialog({
  open,
  onOpenChange,
  createAction,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  createAction: (input: { name: string }) => Promise<ActionResult<Switched>>;
}) {
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: organisationSchema,
    defaultValues: { name: "" },
    action: createAction,
    onSuccess: (created) => enterWorkspace(created.tenantId),
  });
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Create a workspace</DialogTitle>
          <DialogDescription>
            A separate, empty workspace (for example one per client) with its own numbers, subscribers, users and API keys. You become its admin and switch to
            it.
          </DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} noValidate className="grid gap-4">
          <FormError message={formError} />
          <TextFields
            form={form}
            fields={[{ name: "name", label: "Workspace name", type: "text", autoComplete: "off" }]}
            idPrefix="workspace-"
            autoFocusFirst
          />
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? <Spinner /> : <Plus aria-hidden />}
              Create workspace
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
