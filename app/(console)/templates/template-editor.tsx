"use client";

import { Plus, Save } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef } from "react";
import { Controller } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";
import { formatCount } from "@/components/console/format";
import { FormError } from "@/components/console/form-error";
import { useActionForm } from "@/components/console/use-action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, fieldDescribedBy } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import type { ActionResult } from "@/lib/action";
import { BUILTIN_VARIABLES, MAX_MESSAGE_LENGTH } from "@/lib/drip/render";
import type { EditorContext } from "@/lib/templates/editor";
import { countCharacters, formatDelay, segmentVariableNames, templateFormSchema } from "@/lib/templates/schemas";
import { cn } from "@/lib/utils";
import { createTemplateAction, updateTemplateAction } from "./actions";
import { MetaBinding } from "./meta-binding";
import type { EditableTemplate, TemplateFormValues } from "./template-form";
import { TemplatePreview } from "./template-preview";

type Saved = { id: string; revision?: number; changed?: boolean };

const EMPTY: TemplateFormValues = {
  name: "",
  title: "",
  content: "",
  delayDays: 0,
  delayHours: 0,
  segment: "",
  active: true,
  stopOnReply: true,
  metaTemplate: null,
};
const BUILTIN_NAMES = Object.keys(BUILTIN_VARIABLES);
const number = (n: number) => formatCount(n);
const whole = (v: unknown) => (typeof v === "number" ? v : /^\d+$/.test(String(v).trim()) ? Number(v) : null);

/** Inserts `{{name}}` at the cursor of the message (keyboard: Tab to a button, Enter). */
function VariableButtons({ names, onInsert }: { names: string[]; onInsert: (name: string) => void }) {
  return (
    <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Insert a variable">
      <span className="text-xs text-muted-foreground">Insert:</span>
      {names.map((n) => (
        <Button
          key={n}
          type="button"
          variant="outline"
          size="sm"
          className="h-7 px-2 font-mono text-xs"
          onClick={() => onInsert(n)}
          title={BUILTIN_VARIABLES[n as keyof typeof BUILTIN_VARIABLES] ?? "Set per segment under Variables"}
        >
          {`{{${n}}}`}
        </Button>
      ))}
    </div>
  );
}

export function TemplateEditor({ template, context, canEdit }: { template?: EditableTemplate; context: EditorContext; canEdit: boolean }) {
  const router = useRouter();
  const editing = !!template;
  const contentRef = useRef<HTMLTextAreaElement | null>(null);
  const action = (values: TemplateFormValues): Promise<ActionResult<Saved>> => {
    const input = values as unknown as z.input<typeof templateFormSchema>;
    return template ? updateTemplateAction(template.id, input) : createTemplateAction(input);
  };
  const { form, onSubmit, pending, formError } = useActionForm({
    schema: templateFormSchema as unknown as z.ZodType<TemplateFormValues, TemplateFormValues>,
    defaultValues: template?.values ?? EMPTY,
    action,
    onSuccess: (saved) => {
      if (!editing) {
        toast.success("Template created");
        router.push(`/templates/${saved.id}`);
      } else toast.success(saved.changed ? `Saved as revision ${saved.revision}` : "Nothing changed: no new revision");
      router.refresh();
    },
  });
  const content = form.watch("content") ?? "";
  const segmentRaw = form.watch("segment") ?? "";
  const segment = segmentRaw.trim() === "" ? null : segmentRaw.trim();
  const days = whole(form.watch("delayDays"));
  const hours = String(form.watch("delayHours") ?? "").trim() === "" ? 0 : whole(form.watch("delayHours"));
  const characters = countCharacters(content);
  const variableNames = [
    ...BUILTIN_NAMES,
    ...(segment ? Object.keys(context.segmentVariables[segment] ?? {}) : segmentVariableNames(context.segmentVariables)),
  ];
  const bindable = [...new Set([...BUILTIN_NAMES, ...segmentVariableNames(context.segmentVariables)])];
  const err = (name: "name" | "title" | "content" | "delayDays" | "delayHours" | "segment") => form.getFieldState(name, form.formState).error?.message;
  const { ref: registerContentRef, ...contentField } = form.register("content");

  const insert = (name: string) => {
    const el = contentRef.current;
    const token = `{{${name}}}`;
    const at = el ? el.selectionStart : content.length;
    const end = el ? el.selectionEnd : content.length;
    form.setValue("content", content.slice(0, at) + token + content.slice(end), { shouldDirty: true, shouldValidate: form.formState.isSubmitted });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };

  const text = (
    name: "name" | "title" | "segment",
    label: string,
    opts: { description?: string; placeholder?: string; list?: string; required?: boolean; mono?: boolean },
  ) => (
    <FormField id={`template-${name}`} label={label} description={opts.description} error={err(name)} required={opts.required}>
      <Input
        id={`template-${name}`}
        placeholder={opts.placeholder}
        autoComplete="off"
        spellCheck={false}
        list={opts.list}
        className={opts.mono ? "font-mono" : undefined}
        aria-invalid={!!err(name)}
        aria-describedby={fieldDescribedBy(`template-${name}`, { description: opts.description, error: err(name) })}
        {...form.register(name)}
      />
    </FormField>
  );

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label={editing ? "Edit template" : "New template"}
      className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(18rem,24rem)]"
    >
      <fieldset disabled={!canEdit} className="grid min-w-0 gap-6">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Message</h2>
            </CardTitle>
            <CardDescription>What the lead receives on WhatsApp. Variables in double braces are filled in for each lead.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-5">
            <div className="grid items-start gap-4 sm:grid-cols-2">
              {text("name", "Name", { placeholder: "day3_case", required: true, mono: true, description: "Unique; lowercase letters, digits, _ and -." })}
              {text("title", "Title", { placeholder: "Case study, day 3", required: true, description: "How the console lists it." })}
            </div>
            <FormField
              id="template-content"
              label="Text"
              required
              error={err("content")}
              description={
                <span className={cn("tabular-nums", characters > MAX_MESSAGE_LENGTH && "font-medium text-destructive")} data-testid="content-length">
                  {number(characters)} / {number(MAX_MESSAGE_LENGTH)} characters
                </span>
              }
            >
              <Textarea
                id="template-content"
                rows={9}
                placeholder={"{{first_name}}, hello! {{instructor_name}} is waiting for you at the open lesson on Saturday."}
                aria-invalid={!!err("content")}
                aria-describedby={fieldDescribedBy("template-content", { description: true, error: err("content") })}
                className="min-h-48"
                {...contentField}
                ref={(el) => {
                  registerContentRef(el);
                  contentRef.current = el;
                }}
              />
            </FormField>
            {canEdit ? <VariableButtons names={variableNames} onInsert={insert} /> : null}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>
              <h2>When and to whom</h2>
            </CardTitle>
            <CardDescription>
              Counted from the moment a manager marks the lead &ldquo;target and interested&rdquo;.{" "}
              {days !== null && hours !== null ? <span data-testid="delay-summary">Sent on {formatDelay(days, hours)}.</span> : null}
            </CardDescription>
          </CardHeader>
          <CardContent className="grid items-start gap-4 sm:grid-cols-[8rem_8rem_minmax(0,1fr)]">
            {(["delayDays", "delayHours"] as const).map((name) => (
              <FormField
                key={name}
                id={`template-${name}`}
                label={name === "delayDays" ? "Days after" : "+ hours"}
                error={err(name)}
                required={name === "delayDays"}
              >
                <Input
                  id={`template-${name}`}
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={name === "delayDays" ? 365 : 23}
                  aria-invalid={!!err(name)}
                  aria-describedby={fieldDescribedBy(`template-${name}`, { error: err(name) })}
                  {...form.register(name)}
                />
              </FormField>
            ))}
            {text("segment", "Segment", {
              list: "segment-options",
              placeholder: "All segments",
              description: "The course it is for, e.g. acting. Empty: every lead.",
            })}
            <datalist id="segment-options">
              {context.segments.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
            <div className="flex items-start gap-3 sm:col-span-3">
              <Controller
                control={form.control}
                name="active"
                render={({ field }) => (
                  <Switch id="template-active" checked={field.value} onCheckedChange={field.onChange} aria-describedby="template-active-description" />
                )}
              />
              <div className="grid gap-1">
                <label htmlFor="template-active" className="text-sm font-medium">
                  Active
                </label>
                <p id="template-active-description" className="text-xs text-muted-foreground">
                  Inactive templates are left out of new enrollments, and messages already waiting are skipped.
                </p>
              </div>
            </div>
            <div className="flex items-start gap-3 sm:col-span-3">
              <Controller
                control={form.control}
                name="stopOnReply"
                render={({ field }) => (
                  <Switch
                    id="template-stop-on-reply"
                    checked={field.value}
                    onCheckedChange={field.onChange}
                    aria-describedby="template-stop-on-reply-description"
                  />
                )}
              />
              <div className="grid gap-1">
                <label htmlFor="template-stop-on-reply" className="text-sm font-medium">
                  Stop when the lead replies
                </label>
                <p id="template-stop-on-reply-description" className="text-xs text-muted-foreground">
                  When the lead writes to you, their waiting messages of this template are cancelled (reactions do not count). Turn it off for messages that
                  should go out whatever the lead says.
                </p>
              </div>
            </div>
          </CardContent>
        </Card>

        <MetaBinding form={form} numbers={context.cloudNumbers} variables={bindable} status={template?.metaStatus ?? null} disabled={!canEdit} />

        <FormError message={formError} />
        {canEdit ? (
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" disabled={pending}>
              {pending ? <Spinner /> : editing ? <Save aria-hidden /> : <Plus aria-hidden />}
              {pending ? "Saving…" : editing ? "Save changes" : "Create template"}
            </Button>
            <Button asChild variant="ghost">
              <Link href="/templates">Cancel</Link>
            </Button>
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">Managers and admins edit templates.</p>
        )}
      </fieldset>
      <TemplatePreview content={content} segment={segment} leads={context.leads} segmentVariables={context.segmentVariables} />
    </form>
  );
}
