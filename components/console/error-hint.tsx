// A message's error as a manager reads it: our plain-language hint (what happened, what to do) beside the
// provider's code and message verbatim. A deliberate stop (a manager's cancellation, an opt-out, a reply) reads
// as a neutral note, not as an error.
import { Info, Lightbulb } from "lucide-react";
import { errorHint } from "@/lib/drip/error-hints";
import { cn } from "@/lib/utils";
import { ErrorText } from "./list-parts";

export function ErrorHint({
  code,
  message,
  compact = false,
  neutral = false,
  className,
}: {
  code: string | number | null | undefined;
  message: string | null | undefined;
  /** smaller type, for tight places such as a timeline */
  compact?: boolean;
  /** a stop on purpose whatever the code (a cancelled row): the message is a note, not an error */
  neutral?: boolean;
  className?: string;
}) {
  const hint = errorHint(code);
  const stop = neutral || hint?.kind === "stop";
  const codeText = code == null || code === "" ? null : String(code);
  return (
    <div className={cn("grid min-w-0 gap-1", className)} data-testid="error-hint" data-kind={hint?.kind ?? "unknown"}>
      {hint ? (
        <div className={cn("flex items-start gap-1.5", compact ? "text-xs" : "text-sm", stop ? "text-muted-foreground" : "text-foreground")}>
          {stop ? <Info className="mt-0.5 size-3.5 shrink-0" aria-hidden /> : <Lightbulb className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden />}
          <span className="min-w-0">
            <span className="font-medium">{hint.title}</span>
            <span className="block text-xs font-normal text-muted-foreground">{hint.action}</span>
          </span>
        </div>
      ) : null}
      {codeText || message ? (
        <div className="flex min-w-0 flex-wrap items-baseline gap-x-1.5 text-xs">
          {codeText ? (
            <code className="w-fit rounded bg-muted px-1 break-all" data-testid="error-code">
              {codeText}
            </code>
          ) : null}
          {message ? (
            stop ? (
              <span className="min-w-0 break-words text-muted-foreground">{message}</span>
            ) : (
              <span className="min-w-0">
                <ErrorText text={message} />
              </span>
            )
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
