// The conversions request boundary: what Meta would refuse is refused here, with a reason a developer can act on.
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { CONVERSION_EVENT_NAMES, CONVERSION_EVENT_OPTIONS, checkEventTime, conversionRequestHash, eventLabel, parseConversionRequest } from "./schema";

const base = { accountId: "6f1c1d4e-8f7a-4c1e-9d5b-0a2b3c4d5e6f", eventId: "order-1029:LeadSubmitted", eventName: "LeadSubmitted", phoneE164: "15551234567" };

function refusal(body: unknown): AppError {
  try {
    parseConversionRequest(body);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected the request to be refused");
}

describe("parseConversionRequest", () => {
  it("accepts the five event names Meta takes for business messaging", () => {
    for (const eventName of ["LeadSubmitted", "AddToCart", "InitiateCheckout", "ViewContent"]) {
      expect(parseConversionRequest({ ...base, eventName }).eventName).toBe(eventName);
    }
    expect(parseConversionRequest({ ...base, eventName: "Purchase", value: 10, currency: "USD" }).eventName).toBe("Purchase");
  });

  it("refuses Lead, Contact and CompleteRegistration with a message that points to LeadSubmitted", () => {
    for (const eventName of ["Lead", "Contact", "CompleteRegistration"]) {
      const e = refusal({ ...base, eventName });
      expect(e.status).toBe(422);
      expect(e.publicCode).toBe("event_name_not_allowed");
      expect(e.message).toContain(`Meta rejects "${eventName}" for business messaging`);
      expect(e.message).toContain('use "LeadSubmitted"');
    }
  });

  it("refuses custom names and wrong casing, naming the allowed ones", () => {
    const custom = refusal({ ...base, eventName: "BookedDemo" });
    expect(custom.publicCode).toBe("event_name_not_allowed");
    expect(custom.message).toContain("LeadSubmitted, Purchase, AddToCart, InitiateCheckout, ViewContent");
    expect(refusal({ ...base, eventName: "purchase" }).message).toContain('must be spelled "Purchase"');
  });

  it("needs conversationId or phoneE164, and names both", () => {
    const { phoneE164: _p, ...noTarget } = base;
    const e = refusal(noTarget);
    expect(e.message).toContain("conversationId or phoneE164");
    expect(parseConversionRequest({ ...noTarget, conversationId: "0b9d6a8e-1c2f-4f5e-8a7b-6c5d4e3f2a1b" }).conversationId).toBe(
      "0b9d6a8e-1c2f-4f5e-8a7b-6c5d4e3f2a1b",
    );
  });

  it("takes the phone as digits, stripping a leading +, and refuses anything else", () => {
    expect(parseConversionRequest({ ...base, phoneE164: "+15551234567" }).phoneE164).toBe("15551234567");
    for (const phoneE164 of ["+1 555 123 4567", "0015551234567", "555-1234", "+", "12"]) {
      expect(refusal({ ...base, phoneE164 }).message).toContain("phoneE164");
    }
  });

  it("requires value and currency for a Purchase, a real ISO 4217 code, and a value that is not negative", () => {
    expect(refusal({ ...base, eventName: "Purchase" }).message).toMatch(/A Purchase needs a value.*A Purchase needs a currency/);
    expect(refusal({ ...base, eventName: "Purchase", value: 10, currency: "XYZ" }).message).toContain("ISO 4217");
    expect(refusal({ ...base, eventName: "Purchase", value: -1, currency: "USD" }).message).toContain("cannot be negative");
    expect(refusal({ ...base, value: 5 }).message).toContain("A value needs its currency");
    const ok = parseConversionRequest({ ...base, eventName: "Purchase", value: "149.90", currency: "brl" });
    expect([ok.value, ok.currency]).toEqual([149.9, "BRL"]);
  });

  it("refuses unknown fields by name", () => {
    const e = refusal({ ...base, conversation_id: "x", value_cents: 3 });
    expect(e.message).toBe("Unknown fields: conversation_id, value_cents");
  });

  it("recognises milliseconds sent as eventTime", () => {
    expect(refusal({ ...base, eventTime: 1_763_700_000_000 }).message).toContain("looks like milliseconds");
    expect(refusal({ ...base, eventTime: 1_763_700_000.5 }).message).toContain("whole unix seconds");
  });

  it("normalises and hashes email and externalId so the raw values go no further", () => {
    const parsed = parseConversionRequest({ ...base, email: "  John_Smith@gmail.com ", externalId: " CUST-00042 " });
    // the worked example of Meta's customer-information parameters page
    expect(parsed.email).toBe("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");
    expect(parsed.externalId).toBe(parseConversionRequest({ ...base, externalId: "cust-00042" }).externalId);
    expect(JSON.stringify(parsed)).not.toMatch(/john|cust-00042/i);
    expect(refusal({ ...base, email: "not-an-email" }).message).toContain("email is not a valid email address");
  });
});

describe("checkEventTime", () => {
  const now = new Date("2026-11-21T12:00:00.000Z");
  const s = (d: Date) => Math.floor(d.getTime() / 1000);

  it("defaults to now, allows up to 10 minutes ahead and up to 7 days back", () => {
    expect(checkEventTime(undefined, now).getTime()).toBe(now.getTime());
    expect(checkEventTime(s(now) + 600, now).getTime()).toBe(now.getTime() + 600_000);
    expect(checkEventTime(s(now) - 7 * 86_400, now).getTime()).toBe(now.getTime() - 7 * 86_400_000);
  });

  it("refuses the future beyond 10 minutes and the past beyond 7 days with their own codes", () => {
    const ahead = (() => {
      try {
        checkEventTime(s(now) + 601, now);
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(ahead?.publicCode).toBe("event_in_future");
    const old = (() => {
      try {
        checkEventTime(s(now) - 7 * 86_400 - 1, now);
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(old?.publicCode).toBe("event_too_old");
    expect(old?.status).toBe(422);
    expect(old?.message).toContain("Meta rejects events older than 7 days");
  });
});

describe("conversionRequestHash", () => {
  it("is the same for the same request however it was written, and differs when anything that matters differs", () => {
    const a = conversionRequestHash(parseConversionRequest({ ...base, phoneE164: "+15551234567", email: "A@B.co" }));
    expect(conversionRequestHash(parseConversionRequest({ email: " a@b.co", ...base }))).toBe(a);
    expect(conversionRequestHash(parseConversionRequest({ ...base, email: "a@b.co", testCode: "TEST1" }))).not.toBe(a);
    expect(conversionRequestHash(parseConversionRequest({ ...base, email: "a@b.co", eventName: "ViewContent" }))).not.toBe(a);
  });
});

describe("eventLabel", () => {
  it("names each event in words, one and many", () => {
    expect(eventLabel("LeadSubmitted")).toBe("Lead");
    expect(eventLabel("LeadSubmitted", "many")).toBe("Leads");
    expect(eventLabel("InitiateCheckout", "many")).toBe("Checkouts started");
    expect(eventLabel("Purchase", "many")).toBe("Purchases");
  });

  it("has words for every event Meta accepts, and keeps an unknown name as it was sent", () => {
    for (const name of CONVERSION_EVENT_NAMES) expect(eventLabel(name, "many")).not.toBe(name);
    expect(eventLabel("Subscribe", "many")).toBe("Subscribe");
    expect(eventLabel("constructor")).toBe("constructor");
    expect(CONVERSION_EVENT_OPTIONS.map((o) => o.value)).toEqual([...CONVERSION_EVENT_NAMES]);
  });
});
