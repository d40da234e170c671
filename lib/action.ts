// Server-action wrapper: authorise → parse with zod → call one lib/ function → one result shape.
import { ZodError, z } from "zod";
import type { Role } from "@/db/schema";
import { type SessionUser, requireActionUser } from "./auth";
import { AppError } from "./errors";

export type FieldErrors = Record<string, string[] | undefined>;
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: FieldErrors };

function isNextInterrupt(e: unknown): boolean {
  return e instanceof Error && typeof (e as { digest?: unknown }).digest === "string";
}

/** Turns a thrown value into the failed result (Next's redirect/notFound keep propagating). */
export function toActionFailure(e: unknown): { ok: false; error: string; fieldErrors?: FieldErrors } {
  if (isNextInterrupt(e)) throw e;
  if (e instanceof ZodError) {
    return { ok: false, error: "Please correct the highlighted fields.", fieldErrors: z.flattenError(e).fieldErrors as FieldErrors };
  }
  if (e instanceof AppError) {
    const fieldErrors = (e.details as { fieldErrors?: FieldErrors } | undefined)?.fieldErrors;
    return { ok: false, error: e.message, ...(fieldErrors ? { fieldErrors } : {}) };
  }
  const ref = crypto.randomUUID().slice(0, 8);
  console.error(`[clicktrail] action failed (ref ${ref})`, e);
  return { ok: false, error: `Something went wrong on our side (ref ${ref}). Please try again.` };
}

export function defineAction<S extends z.ZodType, T>(
  /** allowPasswordChange: only the Account page's own actions run while an admin-set password awaits its change */
  opts: { role: Role; schema: S; allowPasswordChange?: boolean },
  run: (input: z.output<S>, user: SessionUser) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  return async (input) => {
    try {
      const user = await requireActionUser(opts.role, { allowPasswordChange: opts.allowPasswordChange });
      const parsed = opts.schema.parse(input);
      return { ok: true, data: await run(parsed, user) };
    } catch (e) {
      return toActionFailure(e);
    }
  };
}
