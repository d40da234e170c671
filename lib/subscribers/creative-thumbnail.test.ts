import { describe, expect, it } from "vitest";
import { usableThumbnail } from "./creative-thumbnail";

const now = new Date("2026-12-07T12:00:00Z");
const hex = (d: Date) =>
  Math.floor(d.getTime() / 1000)
    .toString(16)
    .toUpperCase();
const cdn = (oe: string) => `https://scontent.xx.fbcdn.net/v/t45.1600-4/1_n.jpg?stp=dst-jpg_p306x306&_nc_cat=104&oh=00_AY&oe=${oe}`;

describe("usableThumbnail", () => {
  it("keeps a link that has not expired yet", () => {
    const url = cdn(hex(new Date("2026-12-08T00:00:00Z")));
    expect(usableThumbnail(url, now)).toBe(url);
  });

  it("drops a link past its oe expiry", () => {
    expect(usableThumbnail(cdn(hex(new Date("2026-12-07T11:59:59Z"))), now)).toBeNull();
    expect(usableThumbnail(cdn("67A1C3F2"), now)).toBeNull(); // February 2025, as in the demo
  });

  it("keeps a link without a readable expiry, and drops what is not an https URL", () => {
    expect(usableThumbnail("https://cdn.example.com/creative.jpg", now)).toBe("https://cdn.example.com/creative.jpg");
    expect(usableThumbnail(cdn("soon"), now)).toBe(cdn("soon"));
    expect(usableThumbnail("http://cdn.example.com/creative.jpg", now)).toBeNull();
    expect(usableThumbnail("javascript:alert(1)", now)).toBeNull();
    expect(usableThumbnail("not a url", now)).toBeNull();
    expect(usableThumbnail(null, now)).toBeNull();
  });
});
