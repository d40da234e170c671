import { describe, expect, it } from "vitest";
import { foldKeyword, matchOptKeyword, toOptKeywords } from "./opt-out";

describe("matchOptKeyword", () => {
  it.each([
    ["STOP", "opt_out"],
    ["  stop \n", "opt_out"],
    ["Unsubscribe", "opt_out"],
    ["стоп", "opt_out"],
    ["Отписаться", "opt_out"],
    ["ＳＴＯＰ", "opt_out"], // full-width letters fold to STOP
    ["start", "opt_in"],
    ["START ", "opt_in"],
  ])("%j → %s with the defaults", (text, action) => {
    expect(matchOptKeyword(text)).toBe(action);
  });

  it.each(["STOP please", "stop.", "don't stop", "", "s t o p", "STARTED"])("ignores %j: the whole text must be the keyword", (text) => {
    expect(matchOptKeyword(text)).toBeNull();
  });

  it("uses the tenant's lists; an empty list switches keywords off", () => {
    const custom = toOptKeywords({ optOutKeywords: ["Basta", "STOP"], optInKeywords: [] });
    expect(matchOptKeyword("basta", custom)).toBe("opt_out");
    expect(matchOptKeyword("unsubscribe", custom)).toBeNull();
    expect(matchOptKeyword("START", custom)).toBeNull();
    expect(matchOptKeyword("STOP", toOptKeywords({ optOutKeywords: [], optInKeywords: ["START"] }))).toBeNull();
  });

  it("prefers opt-out when a word is in both lists", () => {
    expect(matchOptKeyword("halt", toOptKeywords({ optOutKeywords: ["HALT"], optInKeywords: ["halt"] }))).toBe("opt_out");
  });

  it("folds case across alphabets", () => {
    expect(foldKeyword(" ОТПИСАТЬСЯ ")).toBe(foldKeyword("отписаться"));
  });
});
