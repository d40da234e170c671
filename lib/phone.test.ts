import { describe, expect, it } from "vitest";
import { formatPhone, normalisePhone, phoneDigits, phoneE164Schema, phoneProblem, reportedPhoneE164, reportedPhoneSchema } from "./phone";

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

describe("phoneProblem (phones people type)", () => {
  it.each([
    ["+79001234567", null],
    ["", "Enter the phone number"],
    ["8 (900) 123-45-67", "Not a valid phone number: include the country code, e.g. +7 900 123-45-67"],
    ["12345", "Not a valid phone number: include the country code, e.g. +7 900 123-45-67"],
    ["+7 900", "Not a valid number for Russia: it is too short"],
    ["+44 20 7946 095", "Not a valid number for the United Kingdom"],
    ["0044 20 7946 095", "Not a valid number for the United Kingdom"],
    ["+44 20 7946 09588", "Not a valid number for the United Kingdom: it is too long"],
    ["+380 12 345 6789", "Not a valid number for Ukraine"],
    ["+1 212 000 0000", "Not a valid number for the United States or another +1 country"],
    ["+999 123456789", "No country uses the calling code this number starts with: check the country code, e.g. +7 900 123-45-67"],
    ["+12", "Too short for a phone number: enter the country code and the whole number"],
    ["+phone", "Not a phone number: use digits with the country code, e.g. +7 900 123-45-67"],
  ])("%j → %j", (input, expected) => {
    expect(phoneProblem(input)).toBe(expected);
  });
});

describe("reportedPhoneE164 (numbers WhatsApp reported)", () => {
  it.each([
    ["972987654321", "+972987654321"], // a range libphonenumber calls invalid: kept
    ["+972 98-765-4321", "+972987654321"],
    ["00972987654321", "+972987654321"],
    ["(972) 98.765.4321", "+972987654321"],
    ["+7 900 123-45-67", "+79001234567"],
  ])("%s → %s", (input, expected) => {
    expect(reportedPhoneE164(input)).toBe(expected);
  });

  it.each(["12345", "0123456789", "+0123456789", "1234567890123456", "97298x654321", ""])("rejects %j", (input) => {
    expect(reportedPhoneE164(input)).toBeNull();
  });

  it("passes any possible number through the schema and refuses the rest with the strict message", () => {
    expect(reportedPhoneSchema.parse(" 972987654321 ")).toBe("+972987654321");
    expect(phoneE164Schema.safeParse("972987654321").error?.issues[0]?.message).toBe(
      "Not a valid phone number: include the country code, e.g. +7 900 123-45-67",
    );
    expect(reportedPhoneSchema.safeParse("+7 900").error?.issues[0]?.message).toBe("Not a valid number for Russia: it is too short");
  });
});
