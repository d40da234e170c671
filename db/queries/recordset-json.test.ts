import { describe, expect, it } from "vitest";
import { toRecordsetJson } from "./messages";

describe("toRecordsetJson", () => {
  it("is plain JSON for well-formed strings, emoji pairs included", () => {
    const rows = [{ a: "hello 😀", b: null, n: 3, nested: { t: "привет" } }];
    expect(toRecordsetJson(rows)).toBe(JSON.stringify(rows));
  });

  it("replaces a lone surrogate (a preview cut inside an emoji) so jsonb accepts the batch", () => {
    const json = toRecordsetJson([{ preview: "cut \ud83d", deep: { x: ["\udc00 tail"] } }]);
    expect(json).not.toMatch(/\\ud[89a-f]/i);
    expect(JSON.parse(json)).toEqual([{ preview: "cut \ufffd", deep: { x: ["\ufffd tail"] } }]);
  });

  it("keeps a literal backslash-u text intact", () => {
    const rows = [{ t: "C:\\ud800\\file" }];
    expect(JSON.parse(toRecordsetJson(rows))).toEqual(rows);
  });
});
