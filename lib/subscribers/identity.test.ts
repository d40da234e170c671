import { describe, expect, it } from "vitest";
import { sha256Hex } from "@/lib/crypto";
import type { InboundMessage } from "@/lib/whatsapp/normalised";
import { parseMetaWebhook } from "@/lib/whatsapp/parse";
import { fixtureJson } from "@/test/fixtures/webhooks";
import { countryTimezone, hashPhone, identityFromPhone, phoneLocation, resolveSenderIdentity, toWaPhone } from "./identity";

const firstMessage = (name: string) => {
  const items = parseMetaWebhook(fixtureJson(name)).items;
  return items.find((i): i is InboundMessage => i.kind === "message")!;
};

describe("toWaPhone", () => {
  it.each([
    ["16505551234", "+16505551234"],
    ["+79001234567", "+79001234567"],
    ["15551234567@s.whatsapp.net", "+15551234567"], // Gupshup waId format
    ["972987654321", "+972987654321"], // unknown to libphonenumber: kept, not lost
    ["15550783881", "+15550783881"], // Meta test number
  ])("%s → %s", (input, expected) => {
    expect(toWaPhone(input)).toBe(expected);
  });

  it.each([null, undefined, "", "PHONE_NUMBER", "918x98xx21x4", "12345", "0123456789"])("rejects %j", (input) => {
    expect(toWaPhone(input)).toBeNull();
  });
});

describe("phone hash, country and time zone", () => {
  it("hashes the E.164 digits without '+' (Meta CAPI ph)", () => {
    // the CAPI spec's own example: US (650)555-1212 → 16505551212
    expect(hashPhone("+16505551212")).toBe("e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176");
    expect(hashPhone("+79001234567")).toBe(sha256Hex("79001234567"));
  });

  it("maps countries to a representative zone, the most populous one for multi-zone countries", () => {
    expect(phoneLocation("+79001234567")).toEqual({ country: "RU", timezone: "Europe/Moscow" });
    expect(phoneLocation("+5511987654321")).toEqual({ country: "BR", timezone: "America/Sao_Paulo" });
    expect(phoneLocation("+917506080480")).toEqual({ country: "IN", timezone: "Asia/Kolkata" });
    expect(phoneLocation("+380671234567")).toMatchObject({ country: "UA" });
    expect(phoneLocation("+15550783881")).toEqual({ country: "US", timezone: "America/New_York" }); // calling code's main country
    expect(countryTimezone("gb")).toBe("Europe/London");
    expect(countryTimezone("XX")).toBeNull();
    expect(countryTimezone(null)).toBeNull();
  });

  it("gives a valid IANA zone for every common country code", () => {
    for (const cc of ["US", "CA", "MX", "AU", "ID", "KZ", "DE", "ES", "CN", "AE", "IL", "NG", "ZA", "AR", "CL", "NZ"]) {
      const zone = countryTimezone(cc);
      expect(zone, cc).toBeTruthy();
      expect(() => new Intl.DateTimeFormat("en", { timeZone: zone! })).not.toThrow();
    }
  });

  it("builds an identity from a bare phone", () => {
    expect(identityFromPhone("917506080480")).toMatchObject({
      waPhone: "+917506080480",
      waId: "917506080480",
      phoneHash: sha256Hex("917506080480"),
      country: "IN",
    });
    expect(identityFromPhone("callbackSetPhone")).toBeNull();
  });
});

describe("resolveSenderIdentity", () => {
  it("takes phone, wa_id and profile name from an ordinary message", () => {
    expect(resolveSenderIdentity(firstMessage("meta-text.json"))).toEqual({
      waPhone: "+15550142001",
      waId: "15550142001",
      userId: null,
      username: null,
      profileName: "Mara Quinn",
      phoneHash: sha256Hex("15550142001"),
      country: "US",
      timezone: "America/New_York",
    });
  });

  it("keeps the business-scoped user id and username next to the phone (meta-text-bsuid)", () => {
    expect(resolveSenderIdentity(firstMessage("meta-text-bsuid.json"))).toMatchObject({
      waPhone: "+15550142005",
      waId: "15550142005",
      userId: "US.70000000000000000005",
      username: "@priya_ct",
      profileName: "Priya Raman",
      phoneHash: sha256Hex("15550142005"),
    });
  });

  it("keeps a Cyrillic profile name as sent", () => {
    expect(resolveSenderIdentity(firstMessage("meta-text-stop-ru.json"))).toMatchObject({ waPhone: "+15550142002", profileName: "Аня Соколова" });
  });

  it("accepts a user who hides the number: keyed by the user id, no phone, no hash", () => {
    const message = {
      ...firstMessage("meta-text-bsuid.json"),
      from: null,
      contact: { waId: null, userId: "US.1", parentUserId: null, username: "@hidden", profileName: "H" },
    };
    expect(resolveSenderIdentity({ ...message, fromUserId: "US.1" })).toEqual({
      waPhone: null,
      waId: null,
      userId: "US.1",
      username: "@hidden",
      profileName: "H",
      phoneHash: null,
      country: null,
      timezone: null,
    });
    expect(resolveSenderIdentity({ ...message, fromUserId: null, contact: null })).toBeNull();
  });

  it("attributes the business's own history messages to the thread's customer", () => {
    const items = parseMetaWebhook(fixtureJson("meta-history.json")).items;
    const own = items.find((i): i is InboundMessage => i.kind === "message" && i.history?.direction === "outbound")!;
    expect(own.from).toBe("15550100001");
    expect(own.history?.threadId).toBe("15550142001");
    expect(resolveSenderIdentity(own)).toMatchObject({ waPhone: "+15550142001", waId: "15550142001", phoneHash: sha256Hex("15550142001") });
  });
});
