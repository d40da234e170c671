"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";

export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      toast.error("Could not copy: select the text and copy it by hand.");
    }
  };
  return (
    <Button type="button" variant="outline" size="sm" onClick={copy} aria-label={label}>
      {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
      {copied ? "Copied" : label}
    </Button>
  );
}

/** A one-time secret: monospace, selectable, with a copy button. */
export function SecretValue({ value, testId }: { value: string; testId?: string }) {
  return (
    <div className="flex items-center gap-2 rounded-md border bg-muted/50 p-2">
      <code data-testid={testId} className="min-w-0 flex-1 font-mono text-sm break-all select-all">
        {value}
      </code>
      <CopyButton value={value} />
    </div>
  );
}
