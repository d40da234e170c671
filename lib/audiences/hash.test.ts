// Meta's customer-list normalisation and digests (docs/meta-custom-audiences.md): the expected digests are SHA-256
// of the normalised values, computed once outside this code, so a change in normalisation shows here.
import { describe, expect, it } from "vitest";
import { AUDIENCE_BATCH_MAX, audienceBatches, audienceDigest, normaliseAudienceEmail, normaliseAudiencePhone } from "./hash";

const UK = "033134b911b137918338415ee3d20a064b24773d36a3b02e8b99fdd3fcd6b4cd"; // sha256("447700900123")
const US = "7e088314d4f32de0ca1228a7da34ac11212d7bfc87f1038abfa84c31d1a614c3"; // sha256("15550142001")
const JANE = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"; // sha256("jane.doe@example.com")

describe("audience normalisation", () => {
  it("keeps a phone's digits with its country code, without '+', separators or leading zeros", () => {
    expect(normaliseAudiencePhone("+44 7700 900123")).toBe("447700900123");
    expect(normaliseAudiencePhone("0044 (7700) 900-123")).toBe("447700900123");
    expect(normaliseAudiencePhone("+1 555-014-2001")).toBe("15550142001");
    expect(normaliseAudiencePhone("12345")).toBeNull(); // not a full international number
    expect(normaliseAudiencePhone("+1234567890123456")).toBeNull(); // longer than E.164 allows
  });

  it("trims and lowercases an email as Meta's SDK does, and refuses what is not one", () => {
    expect(normaliseAudienceEmail("  Jane.Doe@Example.COM. ")).toBe("jane.doe@example.com");
    expect(normaliseAudienceEmail("not an email")).toBeNull();
    expect(normaliseAudienceEmail("a@b@c")).toBeNull();
  });

  it("hashes the normalised value; a digest passes as it is; nothing for an empty or unusable value", () => {
    expect(audienceDigest("PHONE", "+44 7700 900123")).toBe(UK);
    expect(audienceDigest("PHONE", "+15550142001")).toBe(US);
    expect(audienceDigest("EMAIL", " JANE.DOE@example.com")).toBe(JANE);
    expect(audienceDigest("PHONE", UK.toUpperCase())).toBe(UK);
    expect(audienceDigest("PHONE", "")).toBeNull();
    expect(audienceDigest("EMAIL", null)).toBeNull();
    expect(audienceDigest("PHONE", "call me")).toBeNull();
  });
});

describe("audience batches", () => {
  it("writes multi-key rows [phone, email] with an empty string for an unknown value, and skips a person with neither", () => {
    const { bodies, rows, skipped } = audienceBatches([
      { phone: "+447700900123", email: "jane.doe@example.com" },
      { phone: "+15550142001" },
      { phone: null, email: "nobody" },
    ]);
    expect(rows).toBe(2);
    expect(skipped).toBe(1);
    expect(bodies).toEqual([
      {
        payload: {
          schema: ["PHONE", "EMAIL"],
          data: [
            [UK, JANE],
            [US, ""],
          ],
        },
      },
    ]);
  });

  it("splits into batches of at most 10,000 rows (Meta's limit), in order", () => {
    const people = Array.from({ length: 2 * AUDIENCE_BATCH_MAX + 1 }, (_, i) => ({ phone: `+4477009${String(i).padStart(5, "0")}` }));
    const { bodies, rows } = audienceBatches(people);
    expect(rows).toBe(people.length);
    expect(bodies.map((b) => b.payload.data.length)).toEqual([AUDIENCE_BATCH_MAX, AUDIENCE_BATCH_MAX, 1]);
    expect(bodies[0]!.payload.data[0]![0]).toBe(audienceDigest("PHONE", people[0]!.phone));
    expect(bodies[2]!.payload.data[0]![0]).toBe(audienceDigest("PHONE", people.at(-1)!.phone));
    expect(() => audienceBatches(people, AUDIENCE_BATCH_MAX + 1)).toThrow(RangeError);
    expect(audienceBatches(people, 7_000).bodies.map((b) => b.payload.data.length)).toEqual([7_000, 7_000, 6_001]);
  });
});
