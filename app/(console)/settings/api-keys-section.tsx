"use client";

import { KeyRound, Plus } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { SecretValue } from "@/components/console/copy-button";
import { DateTime, RelativeTime } from "@/components/console/formatted";
import { useActionForm } from "@/components/console/use-action-form";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { apiKeyNameSchema } from "@/lib/accounts/schemas";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";

type KeyRow = { id: string; name: string; prefix: string; createdAt: number; lastUsedAt: number | null; revokedAt: number | null };

function CreateKeyDialog() {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: apiKeyNameSchema,
    defaultValues: { name: "" },
    action: createApiKeyAction,
    onSuccess: (key) => setSecret(key.secret),
  });
  const error = form.formState.errors.name?.message ?? formError;
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setSecret(null);
      form.reset();
    }
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button size="sm">
          <Plus aria-hidden />
          Create key
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{secret ? "Copy your new API key" : "Create an API key"}</DialogTitle>
          <DialogDescription>
            {secret
              ? "This is the only time the key is shown. Store it in your integration's secrets now."
              : "Integrations send it as `Authorization: Bearer <key>` to /api/v1. It acts as an admin of this workspace."}
          </DialogDescription>
        </DialogHeader>
        {secret ? (
          <div className="grid gap-4">
            <SecretValue value={secret} testId="new-api-key" />
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)}>I have stored it</Button>
            </DialogFooter>
          </div>
        ) : (
          <form onSubmit={onSubmit} noValidate className="grid gap-4">
            <FormField id="key-name" label="Name" description="Where it will be used, e.g. “CRM production”." error={error}>
              <Input
                id="key-name"
                aria-invalid={!!error}
                aria-describedby={fieldDescribedBy("key-name", { description: true, error })}
                {...form.register("name")}
              />
            </FormField>
            <DialogFooter>
              <Button type="submit" disabled={pending}>
                {pending ? <Spinner /> : <KeyRound aria-hidden />}
                Create key
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

function RevokeKeyButton({ keyRow }: { keyRow: KeyRow }) {
  const [pending, start] = useTransition();
  const revoke = () =>
    start(async () => {
      const r = await revokeApiKeyAction({ id: keyRow.id });
      if (r.ok) toast.success(`Revoked “${keyRow.name}”`);
      else toast.error(r.error);
    });
  return (
    <ConfirmButton
      title={`Revoke “${keyRow.name}”?`}
      description="Requests with this key are refused from now on. This cannot be undone."
      confirmLabel="Revoke key"
      onConfirm={revoke}
    >
      <Button variant="ghost" size="sm" className="text-destructive" disabled={pending}>
        Revoke
      </Button>
    </ConfirmButton>
  );
}

export function ApiKeysSection({ keys, hasMore }: { keys: KeyRow[]; hasMore: boolean }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          <h2>API keys</h2>
        </CardTitle>
        <CardDescription>For your website form, CRM and scripts. Keys are stored hashed; only their prefix is shown.</CardDescription>
        <CardAction>
          <CreateKeyDialog />
        </CardAction>
      </CardHeader>
      <CardContent>
        {keys.length === 0 ? (
          <EmptyState icon={KeyRound} title="No API keys yet" description="Create one for each integration so you can revoke them separately." />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Key</TableHead>
                <TableHead>Created</TableHead>
                <TableHead>Last used</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="w-0">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.map((k) => (
                <TableRow key={k.id}>
                  <TableCell className="font-medium">{k.name}</TableCell>
                  <TableCell>
                    <code className="font-mono text-xs">{k.prefix}…</code>
                  </TableCell>
                  <TableCell className="text-muted-foreground">
                    <DateTime value={k.createdAt} />
                  </TableCell>
                  <TableCell className="text-muted-foreground">
                    <RelativeTime value={k.lastUsedAt} />
                  </TableCell>
                  <TableCell>{k.revokedAt ? <Badge variant="outline">Revoked</Badge> : <Badge variant="success">Active</Badge>}</TableCell>
                  <TableCell>{k.revokedAt ? null : <RevokeKeyButton keyRow={k} />}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {hasMore ? <p className="mt-2 text-sm text-muted-foreground">Showing the 200 newest keys.</p> : null}
      </CardContent>
    </Card>
  );
}
