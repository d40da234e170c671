import { describe, expect, it } from "vitest";
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatDayMonth,
  formatDay,
  formatMoney,
  formatPercent,
  formatRelative,
  formatTime,
  STABLE,
  toMs,
} from "./format";

const at = Date.UTC(2026, 11, 7, 14, 5, 9); // 7 Dec 2026 14:05:09 UTC

describe("formatDateTime", () => {
  it("is the same on every machine by default (en-GB, UTC)", () => {
    expect(formatDateTime(at)).toBe("7 Dec 2026, 14:05");
    expect(STABLE).toEqual({ locale: "en-GB", timeZone: "UTC" });
  });
  it("takes epoch ms, ISO strings and Dates alike", () => {
    expect(formatDateTime(new Date(at).toISOString())).toBe("7 Dec 2026, 14:05");
    expect(formatDateTime(new Date(at))).toBe("7 Dec 2026, 14:05");
  });
  it("shows the empty text for nothing or an unreadable value", () => {
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime(undefined, "never")).toBe("never");
    expect(formatDateTime("not a date")).toBe("—");
  });
  it("formats in the reader's locale and time zone", () => {
    expect(formatDateTime(at, "—", { locale: "en-US", timeZone: "America/New_York" })).toBe("Dec 7, 2026, 09:05 AM");
    expect(formatDateTime(at, "—", { locale: "en-GB", timeZone: "Asia/Almaty" })).toBe("7 Dec 2026, 19:05");
  });
});

describe("formatDate and formatTime", () => {
  it("gives the day in the time zone, which can be another day than in UTC", () => {
    expect(formatDate(Date.UTC(2026, 11, 7, 23, 30))).toBe("7 Dec 2026");
    expect(formatDate(Date.UTC(2026, 11, 7, 23, 30), "—", { locale: "en-GB", timeZone: "Europe/Moscow" })).toBe("8 Dec 2026");
    expect(formatDayMonth(Date.UTC(2026, 11, 3, 12))).toBe("3 Dec");
    expect(formatDayMonth(Date.UTC(2026, 11, 3, 23, 30), "—", { locale: "en-US", timeZone: "Asia/Tokyo" })).toBe("Dec 4");
    expect(formatDayMonth(null)).toBe("—");
  });
  it("gives the time of day, with seconds when asked", () => {
    expect(formatTime(at)).toBe("14:05");
    expect(formatTime(at, STABLE, { seconds: true })).toBe("14:05:09");
    expect(formatTime(null)).toBe("—");
  });
});

describe("formatDay", () => {
  it("writes a chosen day in words without shifting it by a time zone", () => {
    expect(formatDay("2026-12-01")).toBe("1 Dec 2026");
    expect(formatDay("2026-12-01", "—", "en-US")).toBe("Dec 1, 2026");
  });
  it("passes through what is not a day, and shows the empty text for nothing", () => {
    expect(formatDay(undefined)).toBe("—");
    expect(formatDay("yesterday")).toBe("yesterday");
  });
});

describe("formatRelative", () => {
  const now = at;
  it("uses one coarse unit", () => {
    expect(formatRelative(now - 3 * 60_000, now)).toBe("3 minutes ago");
    expect(formatRelative(now - 20_000, now)).toBe("20 seconds ago");
    expect(formatRelative(now + 2 * 3_600_000, now)).toBe("in 2 hours");
    expect(formatRelative(now - 86_400_000, now)).toBe("yesterday");
    expect(formatRelative(now - 90 * 86_400_000, now)).toBe("3 months ago");
    expect(formatRelative(now - 800 * 86_400_000, now)).toBe("2 years ago");
  });
  it("says never for no value, and speaks the reader's language", () => {
    expect(formatRelative(null, now)).toBe("never");
    expect(formatRelative(now - 3 * 60_000, now, "never", "de")).toBe("vor 3 Minuten");
  });
});

describe("formatMoney", () => {
  it("shows whole amounts without decimals and others with the currency's", () => {
    expect(formatMoney(1234.5, "USD", { locale: "en-US" })).toBe("$1,234.50");
    expect(formatMoney(268000, "USD", { locale: "en-US" })).toBe("$268,000");
    expect(formatMoney("99.90", "EUR", { locale: "en-US" })).toBe("€99.90");
  });
  it("uses the currency's narrow sign where the locale has none of its own", () => {
    expect(formatMoney(268000, "RUB", { locale: "en-US" })).toBe("₽268,000");
    expect(formatMoney(268000, "rub")).toBe("₽268,000");
  });
  it("follows the reader's locale", () => {
    expect(formatMoney(268000, "RUB", { locale: "ru-RU" })).toBe("268\u00a0000\u00a0₽");
  });
  it("keeps an unknown currency code beside the number, and a missing one out", () => {
    expect(formatMoney(10, "XQQ1")).toBe("10 XQQ1");
    expect(formatMoney(1234.5, null, { locale: "en-US" })).toBe("1,234.5");
    expect(formatMoney(null, "USD")).toBe("—");
    expect(formatMoney("abc", "USD", { empty: "no value" })).toBe("no value");
  });
});

describe("formatPercent and formatCount", () => {
  it("takes a ratio and shows one decimal at most", () => {
    expect(formatPercent(0.1734)).toBe("17.3%");
    expect(formatPercent(0.5)).toBe("50%");
    expect(formatPercent(0.1734, { digits: 0 })).toBe("17%");
    expect(formatPercent(0.1734, { locale: "ru-RU" })).toBe("17,3\u00a0%");
    expect(formatPercent(null)).toBe("—");
    expect(formatPercent(Number.NaN)).toBe("—");
  });
  it("groups digits the reader's way", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(1234567, "—", "ru-RU")).toBe("1\u00a0234\u00a0567");
    expect(formatCount(null)).toBe("—");
  });
});

describe("toMs", () => {
  it("reads numbers, strings and dates, and nothing else", () => {
    expect(toMs(at)).toBe(at);
    expect(toMs(new Date(at).toISOString())).toBe(at);
    expect(toMs("")).toBeNull();
    expect(toMs(new Date(Number.NaN))).toBeNull();
  });
});
