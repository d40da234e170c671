import { describe, expect, it } from "vitest";
import { formatPhone, normalisePhone, phoneDigits } from "./phone";

describe("normalisePhone", () => {
  it.each([
    ["+7 900 123-45-67", "+79001234567"],
    ["+7 (900) 123 45 67", "+79001234567"],
    ["79001234567", "+79001234567"],
    ["0079001234567", "+79001234567"],
    ["  +1 650-555-1234 ", "+16505551234"],
    ["+44 20 7946 0958", "+442079460958"],
    ["15550783881", "+15550783881"], // Meta's test numbers: fictional 555 area, still accepted
  ])("%s → %s", (input, expected) => {
    expect(normalisePhone(input)).toBe(expected);
  });

  it("uses the default country for national numbers", () => {
    expect(normalisePhone("8 (900) 123-45-67", "RU")).toBe("+79001234567");
  });

  it.each(["", "abc", "+7 900", "+999 123456789", "12", "+1 555 078", "+1 212 000 0000"])("rejects %j", (input) => {
    expect(normalisePhone(input)).toBeNull();
  });
});

describe("phone helpers", () => {
  it("formats and strips", () => {
    expect(phoneDigits("+7 900 123-45-67")).toBe("79001234567");
    expect(formatPhone("+79001234567")).toBe("+7 900 123 45 67");
  });
});
