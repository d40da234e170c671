"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useTransition } from "react";
import { type DefaultValues, type FieldValues, type Path, useForm } from "react-hook-form";
import type { z } from "zod";
import type { ActionResult } from "@/lib/action";

/**
 * react-hook-form + zod on the client (inline errors while typing), the same schema on the
 * server: field errors the server returns land on the same fields, a general error in `formError`.
 */
export function useActionForm<S extends z.ZodType<FieldValues, FieldValues>, T>(opts: {
  schema: S;
  defaultValues: DefaultValues<z.input<S>>;
  action: (input: z.input<S>) => Promise<ActionResult<T>>;
  onSuccess?: (data: T) => void;
}) {
  const form = useForm<z.input<S>, unknown, z.output<S>>({
    resolver: zodResolver(opts.schema as never),
    defaultValues: opts.defaultValues,
    mode: "onTouched",
  });
  const [pending, startTransition] = useTransition();

  // the client check passes, then the action gets what the form holds (the schema's input, as its type says): the
  // server parses it with the same schema. Handing it the parsed output instead breaks any schema that transforms
  // (a text field read as a number is not a text field the second time).
  const onSubmit = form.handleSubmit(() => {
    form.clearErrors("root");
    startTransition(async () => {
      const result = await opts.action(form.getValues());
      if (result.ok) {
        opts.onSuccess?.(result.data);
        return;
      }
      const fieldMessages: string[] = [];
      for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
        if (!messages?.[0]) continue;
        form.setError(field as Path<z.input<S>>, { type: "server", message: messages[0] });
        fieldMessages.push(messages[0]);
      }
      // one message for one problem: when the field already says it, the form does not say it again above
      if (!fieldMessages.includes(result.error)) form.setError("root", { type: "server", message: result.error });
    });
  });

  return { form, onSubmit, pending, formError: form.formState.errors.root?.message };
}
