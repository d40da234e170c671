// A conversion event as a marketer reads it ("Lead"), with the name Meta receives ("LeadSubmitted") beside it in
// small type when the two differ, for menus and check lists where both matter.
import { eventLabel } from "@/lib/conversions/schema";

export function EventName({ name }: { name: string }) {
  const label = eventLabel(name);
  if (label === name) return <span>{name}</span>;
  return (
    <span className="inline-flex items-baseline gap-1.5">
      {label}
      <code className="font-mono text-xs text-muted-foreground">{name}</code>
    </span>
  );
}
