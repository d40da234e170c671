// Drip message templates: `{{variables}}` filled from the lead, its subscriber and the values set per
// segment (course) in the console. Rendering never throws: unknown variables are reported (the editor
// warns, the dispatcher refuses to send a message with a hole in it).
export const MAX_MESSAGE_LENGTH = 4096;

/** `{{ name }}`: letters, digits and underscores, starting with a letter or underscore. */
const VARIABLE = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

/** Variables every template can use, with what they hold. */
export const BUILTIN_VARIABLES = {
  name: "The lead's name as entered (or the WhatsApp profile name)",
  first_name: "The first word of the name",
  phone: "The lead's phone in international format",
  course: "The lead's segment / course",
  segment: "Same as course",
} as const;

export type RenderInput = {
  lead: { name: string; phone: string; segment: string | null };
  subscriber?: { profileName: string | null } | null;
  /** the values set for the lead's segment (tenants.segment_variables[segment]) */
  segmentValues?: Record<string, string>;
};

/** The value of every variable for one lead. */
export function variablesFor({ lead, subscriber, segmentValues = {} }: RenderInput): Record<string, string> {
  const name = lead.name.trim() || subscriber?.profileName?.trim() || "";
  return {
    ...segmentValues,
    name,
    first_name: name.split(/\s+/)[0] ?? "",
    phone: lead.phone,
    course: lead.segment ?? "",
    segment: lead.segment ?? "",
  };
}

/** The distinct variable names a template uses, in order of first use. */
export function templateVariables(content: string): string[] {
  return [...new Set([...content.matchAll(VARIABLE)].map((m) => m[1]!))];
}

export type Rendered = { text: string; unknown: string[]; length: number; tooLong: boolean };

/** Fills the variables; unknown ones stay as written and are listed. */
export function renderTemplate(content: string, variables: Record<string, string>): Rendered {
  const unknown = new Set<string>();
  const text = content.replace(VARIABLE, (whole, name: string) => {
    if (Object.hasOwn(variables, name)) return variables[name]!;
    unknown.add(name);
    return whole;
  });
  const length = [...text].length;
  return { text, unknown: [...unknown], length, tooLong: length > MAX_MESSAGE_LENGTH };
}
