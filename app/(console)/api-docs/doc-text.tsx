import { cn } from "@/lib/utils";

// The document's descriptions use a little Markdown: paragraphs, "- " lists, `code`, **bold**, *emphasis*.
// Rendered as React text (never as HTML), so nothing in a description can inject markup.

const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*)/g;

export function InlineText({ text }: { text: string }) {
  return text.split(INLINE).map((part, i) => {
    if (part.length > 2 && part.startsWith("`") && part.endsWith("`")) {
      return (
        <code key={i} className="rounded bg-muted px-1 py-0.5 font-mono text-[0.85em] break-words">
          {part.slice(1, -1)}
        </code>
      );
    }
    if (part.length > 4 && part.startsWith("**") && part.endsWith("**")) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.length > 2 && part.startsWith("*") && part.endsWith("*")) return <em key={i}>{part.slice(1, -1)}</em>;
    return part;
  });
}

export function DocText({ text, className }: { text: string | undefined; className?: string }) {
  if (!text) return null;
  return (
    <div className={cn("grid gap-2 text-sm leading-relaxed", className)}>
      {text.split(/\n{2,}/).map((block, i) => {
        const lines = block.split("\n");
        const intro = lines.filter((l) => !l.startsWith("- "));
        const items = lines.filter((l) => l.startsWith("- "));
        return (
          <div key={i} className="grid gap-1">
            {intro.length > 0 ? (
              <p>
                <InlineText text={intro.join(" ")} />
              </p>
            ) : null}
            {items.length > 0 ? (
              <ul className="ml-5 list-disc space-y-0.5">
                {items.map((item, j) => (
                  <li key={j}>
                    <InlineText text={item.slice(2)} />
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
