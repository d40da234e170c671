import { describe, expect, it } from "vitest";
import { formatMinutes, localMinutes, parseMinutes, quietHoursOf, quietUntil } from "./quiet-hours";

const night = { start: 22 * 60, end: 8 * 60 };

describe("quiet hours", () => {
  it("reads the tenant's columns: both set and different, else none", () => {
    expect(quietHoursOf({ quietHoursStart: 1320, quietHoursEnd: 480 })).toEqual(night);
    expect(quietHoursOf({ quietHoursStart: null, quietHoursEnd: null })).toBeNull();
    expect(quietHoursOf({ quietHoursStart: 600, quietHoursEnd: 600 })).toBeNull();
  });

  it("formats and parses times of day", () => {
    expect(formatMinutes(1320)).toBe("22:00");
    expect(formatMinutes(5)).toBe("00:05");
    expect(parseMinutes("08:30")).toBe(510);
    expect(parseMinutes("24:00")).toBeNull();
    expect(parseMinutes("8:30")).toBeNull();
  });

  it("reads the subscriber's wall clock, UTC when the zone is unknown", () => {
    const at = new Date("2031-05-01T20:00:00Z");
    expect(localMinutes(at, "Europe/Moscow")).toBe(23 * 60);
    expect(localMinutes(at, null)).toBe(20 * 60);
    expect(localMinutes(at, "Mars/Olympus")).toBe(20 * 60);
  });

  it("a period across midnight: 23:00 Moscow waits until 08:00 Moscow, 10:00 is outside", () => {
    expect(quietUntil(new Date("2031-05-01T20:00:00Z"), "Europe/Moscow", night)).toEqual(new Date("2031-05-02T05:00:00Z"));
    expect(quietUntil(new Date("2031-05-02T02:17:31Z"), "Europe/Moscow", night)).toEqual(new Date("2031-05-02T05:00:00Z"));
    expect(quietUntil(new Date("2031-05-02T07:00:00Z"), "Europe/Moscow", night)).toBeNull();
    expect(quietUntil(new Date("2031-05-02T05:00:00Z"), "Europe/Moscow", night)).toBeNull(); // 08:00 sharp: open again
    expect(quietUntil(new Date("2031-05-01T19:00:00Z"), "Europe/Moscow", night)).toEqual(new Date("2031-05-02T05:00:00Z")); // 22:00 sharp
  });

  it("a period within one day, and none at all", () => {
    const early = { start: 60, end: 6 * 60 };
    expect(quietUntil(new Date("2031-05-01T03:00:00Z"), null, early)).toEqual(new Date("2031-05-01T06:00:00Z"));
    expect(quietUntil(new Date("2031-05-01T07:00:00Z"), null, early)).toBeNull();
    expect(quietUntil(new Date("2031-05-01T03:00:00Z"), null, null)).toBeNull();
  });

  it("follows a clock change inside the period", () => {
    // New York springs forward on 2031-03-09 at 02:00: 01:30 EST waits until 03:00 EDT (07:00 UTC), not 4:00
    expect(quietUntil(new Date("2031-03-09T06:30:00Z"), "America/New_York", { start: 60, end: 180 })).toEqual(new Date("2031-03-09T07:00:00Z"));
  });
});
