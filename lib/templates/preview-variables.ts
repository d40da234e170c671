// The preview's pure half (no database): a lead's variables, and the sample lead used while there is
// none. The editor imports it to render as the user types, with the same code the server previews with.
import { variablesFor } from "@/lib/drip/render";
import { formatPhone } from "@/lib/phone";
import type { SegmentVariables } from "./schemas";

export type PreviewLead = {
  id: string | null;
  name: string;
  phone: string;
  segment: string | null;
  profileName: string | null;
  /** ISO 8601; null for the sample lead */
  createdAt: string | null;
  sample: boolean;
};

/** Stands in for a real lead while there is none (its segment is the template's). */
export const SAMPLE_LEAD = { name: "Anna Petrova", phone: "+79001234567" } as const;

export function sampleLead(segment: string | null): PreviewLead {
  return { id: null, ...SAMPLE_LEAD, segment, profileName: null, createdAt: null, sample: true };
}

/**
 * The leads a template reaches, newest first: those of its segment, or every lead when it is for all segments
 * (as the drip enrolls: activeTemplatesForSegment). At most `limit`.
 */
export function previewLeadsFor(leads: readonly PreviewLead[], segment: string | null, limit = 20): PreviewLead[] {
  return leads.filter((l) => segment === null || l.segment === segment).slice(0, limit);
}

/** "+7 ••• ••• 45 67": the country code and the last four digits, enough to tell two leads apart at a glance. */
export function maskPhone(phone: string): string {
  const formatted = formatPhone(phone);
  const space = formatted.startsWith("+") ? formatted.indexOf(" ") : -1;
  const [head, rest] = space > 0 ? [formatted.slice(0, space + 1), formatted.slice(space + 1)] : ["", formatted];
  let keep = 4;
  const tail = [...rest]
    .reverse()
    .map((c) => (/\d/.test(c) ? (keep-- > 0 ? c : "•") : c))
    .reverse()
    .join("");
  return head + tail;
}

/** Every variable's value for one lead: its own fields, its WhatsApp profile name, its segment's values. */
export function previewVariables(lead: PreviewLead, segmentVariables: SegmentVariables): Record<string, string> {
  return variablesFor({
    lead: { name: lead.name, phone: lead.phone, segment: lead.segment },
    subscriber: { profileName: lead.profileName },
    segmentValues: (lead.segment !== null ? segmentVariables[lead.segment] : undefined) ?? {},
  });
}
