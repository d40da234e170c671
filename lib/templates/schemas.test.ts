import { z } from "zod";
import { describe, expect, it } from "vitest";
import {
  createTemplateSchema,
  formatDelay,
  rowsToSegmentVariables,
  segmentVariableRowsSchema,
  segmentVariablesBodySchema,
  segmentVariablesToRows,
  templateFormSchema,
} from "./schemas";

const valid = { name: "day3_case", title: "Case", content: "Hi {{name}}", delayDays: 3, active: true };
const errors = (schema: z.ZodType, input: unknown): Record<string, string[] | undefined> => {
  const r = schema.safeParse(input);
  return r.success ? {} : z.flattenError(r.error).fieldErrors;
};
const issues = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("template schema", () => {
  it("fills defaults and turns empty segments and form strings into values", () => {
    expect(createTemplateSchema.parse(valid)).toEqual({ ...valid, delayHours: 0, segment: null, stopOnReply: true, metaTemplate: null });
    expect(templateFormSchema.parse({ ...valid, delayDays: "7", delayHours: "", segment: "  " })).toMatchObject({ delayDays: 7, delayHours: 0, segment: null });
    expect(templateFormSchema.parse({ ...valid, segment: " oratory " }).segment).toBe("oratory");
  });

  it("explains every wrong field", () => {
    expect(errors(createTemplateSchema, { name: "Day 3", title: "", content: "  ", delayDays: -1, delayHours: 24, active: "yes" })).toEqual({
      name: [expect.stringContaining("lowercase letters, digits, _ and -")],
      title: [expect.stringContaining("Enter a title")],
      content: ["Write the message"],
      delayDays: ["Days cannot be negative"],
      delayHours: ["At most 23 hours: use days for more"],
      active: ["active is true or false"],
    });
    expect(errors(templateFormSchema, { ...valid, delayDays: "" }).delayDays).toEqual(["Enter the number of days (0 = right after enrollment)"]);
    expect(errors(templateFormSchema, { ...valid, delayDays: "1.5" }).delayDays).toEqual(["Use a whole number of days"]);
    expect(errors(templateFormSchema, { ...valid, delayDays: 366 }).delayDays).toEqual(["At most 365 days"]);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(createTemplateSchema.safeParse({ ...valid, content: "ж".repeat(4096) }).success).toBe(true);
    expect(createTemplateSchema.safeParse({ ...valid, content: "😀".repeat(4096) }).success).toBe(true);
    expect(errors(createTemplateSchema, { ...valid, content: "😀".repeat(4097) }).content).toEqual([
      "The message is 4,097 characters; WhatsApp allows at most 4,096",
    ]);
  });

  it("refuses unknown fields by name on the API only", () => {
    expect(issues(createTemplateSchema, { ...valid, course: "acting", delay_days: 1 })).toEqual([": Unknown fields: course, delay_days"]);
    expect(templateFormSchema.safeParse({ ...valid, course: "acting" }).success).toBe(true);
  });

  it("checks a Meta binding's parameters", () => {
    const bind = (parameters: unknown, extra: Record<string, unknown> = {}) =>
      issues(createTemplateSchema, { ...valid, metaTemplate: { name: "reminder", language: "pt_BR", parameters, ...extra } });
    expect(
      bind([
        { key: "1", variable: "first_name" },
        { key: "2", variable: "instructor_name" },
      ]),
    ).toEqual([]);
    expect(bind([{ key: "first_name", variable: "first_name" }])).toEqual([]);
    expect(
      bind([
        { key: "1", variable: "name" },
        { key: "1", variable: "phone" },
      ]),
    ).toEqual(["metaTemplate.parameters.1.key: Parameter 1 is mapped twice"]);
    expect(
      bind([
        { key: "1", variable: "name" },
        { key: "3", variable: "phone" },
      ]),
    ).toEqual(["metaTemplate.parameters: Numbered parameters run from {{1}} with none missing"]);
    expect(
      bind([
        { key: "1", variable: "name" },
        { key: "promo", variable: "phone" },
      ]),
    ).toEqual(["metaTemplate.parameters: Use either numbered ({{1}}, {{2}}) or named parameters, not both"]);
    expect(bind([{ key: "1", variable: "first name" }])).toEqual([
      expect.stringMatching(/^metaTemplate.parameters.0.variable: Use letters, digits and _ only/),
    ]);
    expect(bind([], { language: "English" })).toEqual([expect.stringMatching(/^metaTemplate.language: A language code/)]);
    expect(bind([], { category: "MARKETING" })).toEqual([expect.stringMatching(/^metaTemplate: Unrecognized key/)]);
  });

  it("formats the delay as the list shows it", () => {
    expect(formatDelay(0, 0)).toBe("Day 0");
    expect(formatDelay(3, 2)).toBe("Day 3 + 2 h");
  });
});

describe("segment values", () => {
  it("round-trips between the console's rows and the stored map", () => {
    const rows = segmentVariableRowsSchema.parse({
      rows: [
        { segment: " oratory ", variable: "instructor_name", value: " Olga Shterts " },
        { segment: "acting", variable: "instructor_name", value: "Kazbek Meretukov" },
      ],
    }).rows;
    const map = rowsToSegmentVariables(rows);
    expect(map).toEqual({ oratory: { instructor_name: "Olga Shterts" }, acting: { instructor_name: "Kazbek Meretukov" } });
    expect(segmentVariablesToRows(map).map((r) => r.segment)).toEqual(["acting", "oratory"]);
  });

  it("refuses duplicates, built-in names and bad keys", () => {
    expect(
      issues(segmentVariableRowsSchema, {
        rows: [
          { segment: "acting", variable: "hall", value: "A" },
          { segment: "acting", variable: "hall", value: "B" },
        ],
      }),
    ).toEqual(["rows.1.variable: hall is already set for acting"]);
    expect(issues(segmentVariableRowsSchema, { rows: [{ segment: "acting", variable: "first_name", value: "A" }] })).toEqual([
      "rows.0.variable: This is a built-in variable: choose another name",
    ]);
    expect(issues(segmentVariablesBodySchema, { segments: { " acting": { "bad name": "x", name: "y", ok: "" } } })).toEqual([
      "segments. acting.ok: Enter the value",
      "segments. acting: Segment “ acting”: use 1–64 characters without leading or trailing spaces",
      "segments. acting.bad name: Variable “bad name” of  acting: use letters, digits and _ only, starting with a letter (e.g. instructor_name)",
      "segments. acting.name: Variable “name” of  acting: this is a built-in variable: it always holds the lead's own value",
    ]);
  });
});
