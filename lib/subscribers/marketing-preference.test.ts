import { describe, expect, it } from "vitest";
import { isMarketingStopped, readMarketingPreference, supersedes } from "./marketing-preference";

const t = (seconds: number) => new Date(Date.UTC(2032, 0, 1, 0, 0, seconds));

describe("readMarketingPreference", () => {
  it("reads stop and resume of marketing_messages, forgiving case and spaces", () => {
    expect(readMarketingPreference({ category: "marketing_messages", value: "stop" })).toEqual({ preference: "stop" });
    expect(readMarketingPreference({ category: " Marketing_Messages", value: "RESUME " })).toEqual({ preference: "resume" });
  });

  it("ignores other categories and values, saying why", () => {
    expect(readMarketingPreference({ category: "utility_messages", value: "stop" })).toEqual({ ignored: 'category "utility_messages" is not handled' });
    expect(readMarketingPreference({ category: "marketing_messages", value: "pause" })).toEqual({ ignored: 'value "pause" is neither stop nor resume' });
  });
});

describe("supersedes", () => {
  it("lets a newer choice replace an older one, never the reverse", () => {
    expect(supersedes({ preference: "stop", at: t(1) }, null)).toBe(true);
    expect(supersedes({ preference: "resume", at: t(1) }, { preference: null, at: null })).toBe(true);
    expect(supersedes({ preference: "resume", at: t(2) }, { preference: "stop", at: t(1) })).toBe(true);
    expect(supersedes({ preference: "stop", at: t(1) }, { preference: "resume", at: t(2) })).toBe(false);
  });

  it("gives a tie to stop, and a replay changes nothing", () => {
    expect(supersedes({ preference: "stop", at: t(5) }, { preference: "resume", at: t(5) })).toBe(true);
    expect(supersedes({ preference: "resume", at: t(5) }, { preference: "stop", at: t(5) })).toBe(false);
    expect(supersedes({ preference: "stop", at: t(5) }, { preference: "stop", at: t(5) })).toBe(false);
  });
});

describe("isMarketingStopped", () => {
  it("holds only for a recorded stop", () => {
    expect(isMarketingStopped({ marketingPreference: "stop" })).toBe(true);
    expect(isMarketingStopped({ marketingPreference: "resume" })).toBe(false);
    expect(isMarketingStopped({ marketingPreference: null })).toBe(false);
    expect(isMarketingStopped(undefined)).toBe(false);
  });
});
