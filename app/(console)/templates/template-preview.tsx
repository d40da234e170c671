"use client";

import { AlertTriangle, Eye } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { MAX_MESSAGE_LENGTH, renderTemplate } from "@/lib/drip/render";
import { type FormatContext, formatCount, formatDate } from "@/components/console/format";
import { useFormatContext } from "@/components/console/formatted";
import { formatPhone } from "@/lib/phone";
import { maskPhone, type PreviewLead, previewLeadsFor, previewVariables, sampleLead } from "@/lib/templates/preview-variables";
import type { SegmentVariables } from "@/lib/templates/schemas";
import { cn } from "@/lib/utils";

const SAMPLE = "sample";
const SAMPLE_NAME = sampleLead(null).name;

/** "Lena Ivanova · +7 ••• ••• 45 67 · 5 Dec 2026": two leads of the same name told apart by their phone and day added. */
function leadLabel(lead: PreviewLead, ctx: FormatContext, withSegment: boolean): string {
  const who = lead.name.trim() || lead.profileName || formatPhone(lead.phone);
  const parts = [who, maskPhone(lead.phone)];
  if (lead.createdAt) parts.push(formatDate(lead.createdAt, "", ctx));
  if (withSegment && lead.segment) parts.push(lead.segment);
  return parts.join(" · ");
}

/**
 * The message as the drip would send it to one lead the template reaches (the newest of its segment, or of every
 * segment when it is for all), or to a sample lead in its segment, rendered in the browser with the same code the
 * sender uses, as the user types.
 */
export function TemplatePreview(props: { content: string; segment: string | null; leads: PreviewLead[]; segmentVariables: SegmentVariables }) {
  const ctx = useFormatContext();
  const number = (n: number) => formatCount(n, "0", ctx.locale);
  const candidates = previewLeadsFor(props.leads, props.segment);
  const [choice, setChoice] = useState<string | null>(null);
  // the chosen lead while the segment still reaches it, else the newest the segment reaches, else the sample
  const lead = candidates.find((l) => l.id === choice) ?? (choice === SAMPLE ? undefined : candidates[0]) ?? sampleLead(props.segment);
  const rendered = renderTemplate(props.content, previewVariables(lead, props.segmentVariables));
  const empty = props.content.trim() === "";
  const allSegments = props.segment === null;

  return (
    <Card className="lg:sticky lg:top-6" data-testid="template-preview">
      <CardHeader>
        <CardTitle>
          <h2 className="flex items-center gap-2">
            <Eye className="size-4" aria-hidden />
            Preview
          </h2>
        </CardTitle>
        <CardDescription>
          {candidates.length > 0
            ? allSegments
              ? "Rendered for one of your latest leads, with its segment's values."
              : `Rendered for one of the latest leads in segment “${props.segment}”, with its values.`
            : allSegments
              ? "No leads yet: rendered for a sample lead."
              : `No leads in segment “${props.segment}” yet: rendered for a sample lead in it.`}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="grid gap-1.5">
          <Label htmlFor="preview-lead">Preview for</Label>
          <Select value={lead.sample ? SAMPLE : (lead.id ?? SAMPLE)} onValueChange={setChoice}>
            <SelectTrigger id="preview-lead" className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {candidates.map((l) => (
                <SelectItem key={l.id} value={l.id!}>
                  {leadLabel(l, ctx, allSegments)}
                </SelectItem>
              ))}
              <SelectItem value={SAMPLE}>
                Sample lead: {SAMPLE_NAME}
                {props.segment ? ` · ${props.segment}` : ""}
              </SelectItem>
            </SelectContent>
          </Select>
        </div>
        <div
          className={cn(
            "min-h-20 rounded-lg rounded-tl-none border border-success/25 bg-success/10 px-3 py-2 text-sm break-words whitespace-pre-wrap",
            empty && "text-muted-foreground italic",
          )}
          data-testid="preview-text"
          aria-live="polite"
        >
          {empty ? "The message appears here as you write it." : rendered.text}
        </div>
        <p className={cn("text-xs text-muted-foreground tabular-nums", rendered.tooLong && "font-medium text-destructive")} data-testid="preview-length">
          {number(rendered.length)} / {number(MAX_MESSAGE_LENGTH)} characters for this lead
        </p>
        {rendered.unknown.length > 0 ? (
          <Alert variant="warning" data-testid="preview-unknown">
            <AlertTriangle aria-hidden />
            <AlertTitle>No value for {rendered.unknown.map((v) => `{{${v}}}`).join(", ")}</AlertTitle>
            <AlertDescription>
              <p>
                This lead would not get the message: the drip never sends one with a variable left unfilled. Check the spelling, or set the value for
                {lead.segment ? ` segment “${lead.segment}”` : " the lead's segment"} under{" "}
                <Link href="/templates/variables" className="underline underline-offset-2">
                  Variables
                </Link>
                .
              </p>
            </AlertDescription>
          </Alert>
        ) : null}
        {rendered.tooLong ? (
          <Alert variant="destructive">
            <AlertTriangle aria-hidden />
            <AlertDescription>For this lead the message is longer than WhatsApp allows ({number(MAX_MESSAGE_LENGTH)} characters). Shorten it.</AlertDescription>
          </Alert>
        ) : null}
      </CardContent>
    </Card>
  );
}
