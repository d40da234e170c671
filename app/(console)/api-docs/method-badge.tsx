import { cn } from "@/lib/utils";
import type { HttpMethod } from "@/lib/openapi/registry";

const METHOD_STYLES: Record<HttpMethod, string> = {
  get: "border-sky-600/25 bg-sky-600/10 text-sky-700",
  post: "border-success/25 bg-success/10 text-success",
  put: "border-violet-600/25 bg-violet-600/10 text-violet-700",
  patch: "border-warning/25 bg-warning/10 text-warning",
  delete: "border-destructive/25 bg-destructive/10 text-destructive",
};

/** GET / POST / PATCH / DELETE in a fixed-width coloured box, so paths line up. */
export function MethodBadge({ method, size = "default" }: { method: HttpMethod; size?: "default" | "sm" }) {
  return (
    <span
      data-slot="method-badge"
      className={cn(
        "inline-flex shrink-0 items-center justify-center rounded-md border font-mono font-semibold tracking-wide uppercase",
        size === "sm" ? "mt-px w-12 py-px text-[10px]" : "w-16 py-0.5 text-xs",
        METHOD_STYLES[method],
      )}
    >
      {method}
    </span>
  );
}

/** An HTTP status: green for 2xx, amber for 4xx, red for 5xx. */
export function StatusCode({ status }: { status: string }) {
  const tone = status.startsWith("2") ? "text-success" : status.startsWith("5") ? "text-destructive" : "text-warning";
  return <span className={cn("font-mono text-sm font-semibold tabular-nums", tone)}>{status}</span>;
}
