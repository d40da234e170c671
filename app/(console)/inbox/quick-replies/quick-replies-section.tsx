"use client";

import { MessageSquareText, Pencil, Plus, Save, Trash2 } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/console/confirm-button";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Textarea } from "@/components/ui/textarea";
import { quickReplyFormSchema } from "@/lib/inbox/quick-reply-form-schema";
import { createQuickReplyAction, deleteQuickReplyAction, updateQuickReplyAction } from "./actions";

export type QuickReplyRow = { id: string; shortcut: string; text: string };

/** Add (no `reply`) or edit one quick reply; the server's refusals (a shortcut in use, the limit) land on the form. */
function QuickReplyDialog({ reply, children }: { reply?: QuickReplyRow; children: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  const blank = { shortcut: reply?.shortcut ?? "", text: reply?.text ?? "" };
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: quickReplyFormSchema,
    defaultValues: blank,
    action: reply ? (values) => updateQuickReplyAction({ id: reply.id, ...values }) : createQuickReplyAction,
    onSuccess: (saved) => {
      setOpen(false);
      toast.success(reply ? `Saved /${saved.shortcut}` : `Added /${saved.shortcut}`);
    },
  });
  const prefix = reply ? `quick-reply-${reply.id}` : "quick-reply-new";
  const shortcutError = form.formState.errors.shortcut?.message;
  const textError = form.formState.errors.text?.message;
  // a field error is already shown beside its field: the banner is only for the rest (e.g. the limit)
  const bannerError = shortcutError || textError ? undefined : formError;
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (next) form.reset(blank);
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>{children}</DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{reply ? `Edit /${reply.shortcut}` : "Add a quick reply"}</DialogTitle>
          <DialogDescription>In the inbox, type / and the shortcut at the start of a reply to insert the text.</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} noValidate className="grid gap-4" aria-label={reply ? "Edit quick reply" : "Add quick reply"}>
          <FormError message={bannerError} />
          <FormField id={`${prefix}-shortcut`} label="Shortcut" description="Letters, digits, _ and -; unique in the workspace." error={shortcutError}>
            <Input
              id={`${prefix}-shortcut`}
              autoComplete="off"
              className="font-mono"
              aria-invalid={!!shortcutError}
              aria-describedby={fieldDescribedBy(`${prefix}-shortcut`, { description: true, error: shortcutError })}
              {...form.register("shortcut")}
            />
          </FormField>
          <FormField id={`${prefix}-text`} label="Text" description="Inserted into the reply box as it is; edit it there before sending." error={textError}>
            <Textarea
              id={`${prefix}-text`}
              rows={5}
              className="max-h-72"
              aria-invalid={!!textError}
              aria-describedby={fieldDescribedBy(`${prefix}-text`, { description: true, error: textError })}
              {...form.register("text")}
            />
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? <Spinner /> : reply ? <Save aria-hidden /> : <Plus aria-hidden />}
              {reply ? "Save" : "Add quick reply"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function DeleteQuickReplyButton({ reply }: { reply: QuickReplyRow }) {
  const [pending, start] = useTransition();
  const remove = () =>
    start(async () => {
      const r = await deleteQuickReplyAction({ id: reply.id });
      if (r.ok) toast.success(`Deleted /${reply.shortcut}`);
      else toast.error(r.error);
    });
  return (
    <ConfirmButton
      title={`Delete /${reply.shortcut}?`}
      description="It disappears from every inbox composer in this workspace. Messages already sent are not changed."
      confirmLabel="Delete quick reply"
      onConfirm={remove}
    >
      <Button variant="ghost" size="sm" className="text-destructive" disabled={pending} aria-label={`Delete /${reply.shortcut}`}>
        {pending ? <Spinner /> : <Trash2 aria-hidden />}
        Delete
      </Button>
    </ConfirmButton>
  );
}

/** The workspace's quick replies: managers and admins add, edit and delete them; other roles only read them. */
export function QuickRepliesSection({ replies, canWrite, max }: { replies: QuickReplyRow[]; canWrite: boolean; max: number }) {
  const full = replies.length >= max;
  const add = (label: string) => (
    <QuickReplyDialog>
      <Button size="sm" disabled={full} title={full ? `A workspace keeps at most ${max} quick replies: delete one first` : undefined}>
        <Plus aria-hidden />
        {label}
      </Button>
    </QuickReplyDialog>
  );
  return (
    <Card data-testid="quick-replies-section">
      <CardHeader>
        <CardTitle>
          <h2>Saved replies</h2>
        </CardTitle>
        <CardDescription>
          Saved answers for the inbox: type / at the start of a reply, then a shortcut or a few words, to insert one.
          {canWrite ? ` Up to ${max} per workspace.` : " Managers and admins edit them."}
        </CardDescription>
        {canWrite && replies.length > 0 ? <CardAction>{add("Add quick reply")}</CardAction> : null}
      </CardHeader>
      <CardContent>
        {replies.length === 0 ? (
          <EmptyState
            icon={MessageSquareText}
            title="No quick replies yet"
            description="A quick reply is a saved answer with a short name, such as /hours for your opening hours. In the inbox, typing / at the start of a reply lists them; Enter inserts the one you pick, ready to edit and send."
            action={canWrite ? add("Add your first quick reply") : undefined}
          />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead className="w-0">Shortcut</TableHead>
                <TableHead>Text</TableHead>
                {canWrite ? (
                  <TableHead className="w-0">
                    <span className="sr-only">Actions</span>
                  </TableHead>
                ) : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {replies.map((r) => (
                <TableRow key={r.id} data-testid="quick-reply-row">
                  <TableCell className="align-top">
                    <code className="font-mono text-xs">/{r.shortcut}</code>
                  </TableCell>
                  <TableCell className="max-w-xl">
                    <p className="line-clamp-3 text-sm whitespace-pre-wrap">{r.text}</p>
                  </TableCell>
                  {canWrite ? (
                    <TableCell className="align-top">
                      <div className="flex gap-1">
                        <QuickReplyDialog reply={r}>
                          <Button variant="ghost" size="sm" aria-label={`Edit /${r.shortcut}`}>
                            <Pencil aria-hidden />
                            Edit
                          </Button>
                        </QuickReplyDialog>
                        <DeleteQuickReplyButton reply={r} />
                      </div>
                    </TableCell>
                  ) : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
