import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { leadFiltersSchema, parseCreateLead, parseLeadPatch, parseLeadSearch } from "./schemas";

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return { code: (e as AppError).publicCode, message: (e as AppError).message, status: (e as AppError).status };
  }
  throw new Error("expected a refusal");
};

describe("the lead request", () => {
  it("normalises the phone and trims, treating blank optional fields as absent", () => {
    expect(parseCreateLead({ name: "  Anna ", phone: "+7 900 123-45-67", segment: " acting ", source: "", externalRef: " form-1 " })).toEqual({
      name: "Anna",
      phone: "+79001234567",
      segment: "acting",
      externalRef: "form-1",
    });
    expect(parseCreateLead({ name: "Bob", phone: "15550783881" }).phone).toBe("+15550783881");
  });

  it("explains a bad phone, a missing name and unknown fields", () => {
    expect(refusal(() => parseCreateLead({ name: "Anna", phone: "12" }))).toEqual({
      status: 422,
      code: "invalid_request",
      message: "phone: Not a valid phone number: include the country code, e.g. +7 900 123-45-67",
    });
    expect(refusal(() => parseCreateLead({ phone: "+79001234567" })).message).toBe("name is required: the person's name");
    expect(refusal(() => parseCreateLead({ name: "A", phone: "+79001234567", course: "acting", email: "a@b.c" })).message).toBe(
      "Unknown fields: course, email",
    );
    expect(refusal(() => parseCreateLead({ name: "A", phone: "+79001234567", numberId: "x" })).message).toContain(
      "numberId must be the id of one of your WhatsApp numbers",
    );
  });
});

describe("the lead patch", () => {
  it("accepts a call outcome, an answer and a stop", () => {
    expect(parseLeadPatch({ callStatus: "called", isTarget: true })).toEqual({ callStatus: "called", isTarget: true });
    expect(parseLeadPatch({ campaignActive: false })).toEqual({ campaignActive: false });
  });

  it("refuses campaignActive: true with the way to start a campaign", () => {
    expect(refusal(() => parseLeadPatch({ campaignActive: true }))).toEqual({
      status: 422,
      code: "campaign_needs_target",
      message: "campaignActive can only be set to false (to stop the campaign); to start it, set isTarget: true, which enrolls the lead",
    });
  });

  it("refuses contradictions, an empty patch and not_called", () => {
    expect(refusal(() => parseLeadPatch({ callStatus: "no_answer", isTarget: true })).message).toContain('send callStatus "called"');
    expect(refusal(() => parseLeadPatch({ isTarget: true, campaignActive: false })).message).toContain("cannot be stopped in the same request");
    expect(refusal(() => parseLeadPatch({})).message).toBe("Send callStatus, isTarget or campaignActive");
    expect(refusal(() => parseLeadPatch({ callStatus: "not_called" })).message).toContain("a recorded call cannot be undone");
    expect(refusal(() => parseLeadPatch({ isTarget: "yes" })).message).toBe("isTarget must be true or false");
  });
});

describe("the list filters", () => {
  it("reads the URL's strings", () => {
    expect(leadFiltersSchema.parse({ callStatus: "called", isTarget: "unanswered", campaignActive: "false", segment: "", q: " anna " })).toEqual({
      callStatus: "called",
      isTarget: "unanswered",
      campaignActive: false,
      q: "anna",
    });
    expect(leadFiltersSchema.safeParse({ isTarget: "maybe" }).success).toBe(false);
  });

  it("searches digits of a phone or a part of a name", () => {
    expect(parseLeadSearch("+7 900 12")).toEqual({ kind: "phone", digits: "790012" });
    expect(parseLeadSearch("An")).toEqual({ kind: "name", text: "An" });
    expect(parseLeadSearch(undefined)).toBeNull();
    expect(() => parseLeadSearch("A")).toThrow(AppError);
  });
});
