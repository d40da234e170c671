import { describe, expect, it } from "vitest";
import { dayEnd, dayStart, filterTextSchema, MAX_TIME_MS, utcDaySchema } from "./query-params";

describe("utcDaySchema", () => {
  it("accepts real days from 1970-01-01 to 9999-12-31", () => {
    for (const day of ["1970-01-01", "2024-02-29", "9999-12-31"]) expect(utcDaySchema.safeParse(day).success, day).toBe(true);
  });

  it("refuses days that do not exist, other formats and days Postgres or a filter cannot use", () => {
    for (const day of [
      "2026-02-30",
      "2025-02-29",
      "2026-13-01",
      "2026-1-1",
      "0000-01-01",
      "1969-12-31",
      "275760-09-13",
      "+275760-09-13",
      "2026-02-28T00:00:00Z",
      "",
    ]) {
      expect(utcDaySchema.safeParse(day).success, day).toBe(false);
    }
  });
});

describe("day bounds", () => {
  it("spans the whole UTC day, and the last day ends at the last instant there is", () => {
    expect(dayStart("2026-03-01").toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(dayEnd("2026-02-28").toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(dayEnd("9999-12-31").getTime()).toBe(MAX_TIME_MS);
    expect(dayEnd("9999-12-31").toISOString()).toBe("9999-12-31T23:59:59.999Z");
  });
});

describe("filterTextSchema", () => {
  const schema = filterTextSchema(10);
  it("trims and keeps ordinary text, wildcards and emoji", () => {
    expect(schema.parse("  100%_ä😀 ")).toBe("100%_ä😀");
  });

  it("refuses NUL, other control characters and overlong text", () => {
    for (const text of ["a\u0000", "\u0007bell", "tab\there", "x".repeat(11)]) expect(schema.safeParse(text).success, JSON.stringify(text)).toBe(false);
  });
});
