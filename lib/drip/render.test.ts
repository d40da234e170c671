import { describe, expect, it } from "vitest";
import { renderTemplate, templateVariables, variablesFor } from "./render";

const vars = variablesFor({
  lead: { name: "Анна Петрова", phone: "+79001234567", segment: "acting" },
  segmentValues: { instructor_name: "Казбек Меретуков" },
});

describe("drip templates", () => {
  it("fills lead, segment and per-segment variables, with or without spaces inside the braces", () => {
    const r = renderTemplate("{{first_name}}, {{ instructor_name }} ждёт вас на курсе {{course}}! ({{name}}, {{phone}})", vars);
    expect(r).toEqual({
      text: "Анна, Казбек Меретуков ждёт вас на курсе acting! (Анна Петрова, +79001234567)",
      unknown: [],
      length: r.text.length,
      tooLong: false,
    });
  });

  it("reports unknown variables once and leaves them as written", () => {
    const r = renderTemplate("Hi {{nmae}} and {{nmae}}, {{discount}}", vars);
    expect(r.unknown).toEqual(["nmae", "discount"]);
    expect(r.text).toBe("Hi {{nmae}} and {{nmae}}, {{discount}}");
  });

  it("counts characters, not UTF-16 units, against the 4,096 limit", () => {
    expect(renderTemplate("😀".repeat(4096), {}).tooLong).toBe(false);
    expect(renderTemplate("😀".repeat(4097), {})).toMatchObject({ length: 4097, tooLong: true });
  });

  it("falls back to the WhatsApp profile name, and lists a template's variables in order", () => {
    expect(variablesFor({ lead: { name: " ", phone: "+1", segment: null }, subscriber: { profileName: "Sheena Nelson" } })).toMatchObject({
      name: "Sheena Nelson",
      first_name: "Sheena",
      course: "",
    });
    expect(templateVariables("{{a}} {{ b }} {{a}} {{1bad}} {c}")).toEqual(["a", "b"]);
  });
});
