import { describe, expect, it } from "vitest";
import { numberLabel, subscriberName } from "./names";

describe("console names", () => {
  it("names a subscriber by profile name, then username, phone, user id, then the fallback", () => {
    const none = { profileName: null, username: null, waPhone: null, userId: null };
    expect(subscriberName({ ...none, profileName: "Olga", username: "olga.k", waPhone: "+15551234567" })).toBe("Olga");
    expect(subscriberName({ ...none, username: "olga.k", waPhone: "+15551234567" })).toBe("olga.k");
    expect(subscriberName({ ...none, waPhone: "+15551234567", userId: "US.123" })).toBe("+1 555 123 4567");
    expect(subscriberName({ ...none, userId: "US.123" })).toBe("US.123");
    expect(subscriberName(none)).toBe("Subscriber");
    expect(subscriberName(none, "Unknown")).toBe("Unknown");
  });

  it("labels a number with its formatted phone", () => {
    expect(numberLabel({ label: "Sales", phoneE164: "+15551234567" })).toBe("Sales (+1 555 123 4567)");
    expect(numberLabel({ label: "Main line", phoneE164: "+15551234567", demo: true })).toBe("Main line (+1 555 123 4567) · demo");
  });
});
