import { describe, expect, it } from "vitest";
import { consentState } from "./consent-state";

const d = (day: number) => new Date(Date.UTC(2026, 11, day, 10));
const base = { status: "active", optInAt: null, optOutAt: null, firstSeenAt: d(1) };

describe("consentState", () => {
  it("reads STOP then START as subscribed again, with both dates", () => {
    expect(consentState({ ...base, optOutAt: d(5), optInAt: d(7) })).toEqual({ kind: "resubscribed", at: d(7), optedOutAt: d(5) });
  });
  it("reads START then STOP as opted out, remembering the earlier opt-in", () => {
    expect(consentState({ ...base, status: "opted_out", optInAt: d(5), optOutAt: d(7) })).toEqual({ kind: "opted_out", at: d(7), optedInBefore: d(5) });
  });
  it("takes an opt-out at the same instant as an opt-in as the current state (the safe reading)", () => {
    expect(consentState({ ...base, optInAt: d(5), optOutAt: d(5) })).toMatchObject({ kind: "opted_out", at: d(5) });
  });
  it("trusts the status when it says opted out without a time", () => {
    expect(consentState({ ...base, status: "opted_out" })).toEqual({ kind: "opted_out", at: null, optedInBefore: null });
  });
  it("reads an opt-in alone, and no keyword at all", () => {
    expect(consentState({ ...base, optInAt: d(3) })).toEqual({ kind: "opted_in", at: d(3) });
    expect(consentState(base)).toEqual({ kind: "subscribed", since: d(1) });
  });
});
