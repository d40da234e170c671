import { describe, expect, it } from "vitest";
import { maskPhone, type PreviewLead, previewLeadsFor, sampleLead } from "./preview-variables";

const lead = (id: string, segment: string | null): PreviewLead => ({
  id,
  name: "Anna",
  phone: "+79001234567",
  segment,
  profileName: null,
  createdAt: "2031-06-01T09:00:00.000Z",
  sample: false,
});

describe("maskPhone", () => {
  it("keeps the country code and the last four digits", () => {
    expect(maskPhone("+79001234567")).toBe("+7 ••• ••• 45 67");
    expect(maskPhone("+14155550123")).toBe("+1 ••• ••• 0123");
  });
  it("tells two numbers apart by their ends", () => {
    expect(maskPhone("+79001112233")).not.toBe(maskPhone("+79004445566"));
  });
  it("masks what it cannot parse too", () => {
    expect(maskPhone("12345678")).toBe("••••5678");
  });
});

describe("previewLeadsFor", () => {
  const leads = [lead("a", "acting"), lead("b", "vocal"), lead("c", null), lead("d", "acting")];
  it("offers a segment's leads only, in order", () => {
    expect(previewLeadsFor(leads, "acting").map((l) => l.id)).toEqual(["a", "d"]);
  });
  it("offers every lead to a template for all segments, up to the limit", () => {
    expect(previewLeadsFor(leads, null).map((l) => l.id)).toEqual(["a", "b", "c", "d"]);
    expect(previewLeadsFor(leads, null, 2)).toHaveLength(2);
  });
  it("has a sample lead with no date", () => {
    expect(sampleLead("acting")).toMatchObject({ segment: "acting", createdAt: null, sample: true });
  });
});
