import { describe, expect, it } from "vitest";
import { NO_UTM, parseUtmTags } from "./utm";

describe("parseUtmTags", () => {
  it("reads every utm_* parameter of an ad URL", () => {
    expect(
      parseUtmTags("https://shop.example.com/p?utm_source=facebook&utm_medium=paid&utm_campaign=spring%20sale&utm_content=video_a&utm_term=shoes"),
    ).toEqual({
      utmSource: "facebook",
      utmMedium: "paid",
      utmCampaign: "spring sale",
      utmContent: "video_a",
      utmTerm: "shoes",
    });
  });

  it("tolerates missing schemes, upper-case names, '+' spaces and tags after '#'", () => {
    expect(parseUtmTags("example.com/?UTM_SOURCE=ig&utm_campaign=a+b")).toMatchObject({ utmSource: "ig", utmCampaign: "a b" });
    expect(parseUtmTags("https://example.com/#/landing?utm_medium=cpc")).toMatchObject({ utmMedium: "cpc" });
    expect(parseUtmTags("https://example.com/?utm_source=first&utm_source=second").utmSource).toBe("first");
  });

  it.each([
    null,
    undefined,
    "",
    "AD_OR_POST_FB_URL",
    "not a url at all",
    "https://fb.me/3cr4Wqqkv",
    "ftp://x.example/?utm_source=a",
    "https://example.com/?utm_source=",
  ])("has no tags for %j", (input) => {
    expect(parseUtmTags(input)).toEqual(NO_UTM);
  });
});
