import { describe, expect, it } from "vitest";
import { jsonDepth } from "./json-depth";

describe("jsonDepth", () => {
  it("counts nested arrays and objects", () => {
    expect(jsonDepth("1")).toBe(0);
    expect(jsonDepth('"x"')).toBe(0);
    expect(jsonDepth("[]")).toBe(1);
    expect(jsonDepth('{"a":[{"b":[1,2]},[]]}')).toBe(4);
  });

  it("skips brackets inside strings, escaped quotes included", () => {
    expect(jsonDepth('{"a":"[[[{{{","b":"\\"[[[","c":"\\\\"}')).toBe(1);
  });

  it("measures 100,000 levels without recursion", () => {
    const n = 100_000;
    expect(jsonDepth(`${"[".repeat(n)}${"]".repeat(n)}`)).toBe(n);
  });
});
