// The preview's pure half (no database): a lead's variables, and the sample lead used while there is
// none. The editor imports it to render as the user types, with the same code the server previews with.
import { variablesFor } from "@/lib/drip/render";
import type { SegmentVariables } from "./schemas";

export type PreviewLead = { id: string | null; name: string; phone: string; segment: string | null; profileName: string | null; sample: boolean };

/** Stands in for a real lead while there is none (its segment is the template's). */
export const SAMPLE_LEAD = { name: "Anna Petrova", phone: "+79001234567" } as const;

export function sampleLead(segment: string | null): PreviewLead {
  return { id: null, ...SAMPLE_LEAD, segment, profileName: null, sample: true };
}

/** Every variable's value for one lead: its own fields, its WhatsApp profile name, its segment's values. */
export function previewVariables(lead: PreviewLead, segmentVariables: SegmentVariables): Record<string, string> {
  return variablesFor({
    lead: { name: lead.name, phone: lead.phone, segment: lead.segment },
    subscriber: { profileName: lead.profileName },
    segmentValues: (lead.segment !== null ? segmentVariables[lead.segment] : undefined) ?? {},
  });
}
