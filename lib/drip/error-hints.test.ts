import { describe, expect, it } from "vitest";
import { errorHint, isDeliberateStop, MANAGER_CANCEL_CODES } from "./error-hints";

describe("errorHint", () => {
  it("reads Meta's common codes, as numbers or strings", () => {
    expect(errorHint(131047)).toMatchObject({ kind: "error", title: "Outside the 24-hour window" });
    expect(errorHint("131047")?.action).toMatch(/approved Meta template/);
    expect(errorHint("131026")?.title).toBe("Not deliverable to this number");
    expect(errorHint("131048")?.title).toBe("Spam rate limit");
    expect(errorHint("131049")?.action).toMatch(/wait a day/);
    expect(errorHint("131051")?.title).toBe("Unsupported message type");
    expect(errorHint("131056")?.action).toMatch(/6 seconds/);
    expect(errorHint("132000")?.title).toBe("Template parameters do not match");
    expect(errorHint("132001")?.title).toBe("The Meta template does not exist");
  });
  it("reads the legacy 470 and Gupshup's 1002 as their Cloud API equivalents", () => {
    expect(errorHint(470)).toBe(errorHint(131047));
    expect(errorHint("1002")).toBe(errorHint(131026));
    expect(errorHint("1012")).toMatchObject({ kind: "stop" });
  });
  it("reads Green API's statuses and HTTP answers", () => {
    expect(errorHint("noAccount")).toBe(errorHint(131026));
    expect(errorHint("yellowCard")?.action).toMatch(/Reboot the instance/);
    expect(errorHint("http_466")?.title).toBe("Green API plan limit reached");
    expect(errorHint("http_401")?.action).toMatch(/replace the token/);
  });
  it("reads the drip's own reasons", () => {
    expect(errorHint("outside_window")).toBe(errorHint(131047));
    expect(errorHint("no_number")?.action).toMatch(/Connect a WhatsApp number/);
    expect(errorHint("send_unconfirmed")?.action).toMatch(/Inbox/);
  });
  it("knows nothing of other codes, blanks or object keys", () => {
    expect(errorHint("999999")).toBeNull();
    expect(errorHint(null)).toBeNull();
    expect(errorHint(undefined)).toBeNull();
    expect(errorHint("")).toBeNull();
    expect(errorHint("constructor")).toBeNull();
    expect(errorHint("toString")).toBeNull();
    expect(errorHint(" 131047 ")).toBe(errorHint(131047));
  });
});

describe("deliberate stops", () => {
  it("are a manager's cancellation or a rule's stop, never a provider failure", () => {
    for (const code of ["cancelled_by_user", "campaign_stopped", "opted_out", "blocked", "marketing_stopped", "lead_replied", "converted"])
      expect(isDeliberateStop(code), code).toBe(true);
    for (const code of ["131047", "131026", "http_400", "outside_window", null, "unknown"]) expect(isDeliberateStop(code), String(code)).toBe(false);
  });
  it("offer Queue again only for a manager's own cancellation", () => {
    expect(MANAGER_CANCEL_CODES).toEqual(["cancelled_by_user"]);
    expect(MANAGER_CANCEL_CODES.every(isDeliberateStop)).toBe(true);
  });
});
