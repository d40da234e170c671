import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, safeEqual, secretHint, sha256Hex } from "./crypto";

const key = Buffer.alloc(32, 9).toString("base64");
const otherKey = Buffer.alloc(32, 8).toString("base64");

describe("secrets at rest", () => {
  it("round-trips and never stores the plaintext", () => {
    const sealed = encryptSecret("EAAG-token-1a2b", key);
    expect(sealed).not.toContain("EAAG");
    expect(decryptSecret(sealed, key)).toBe("EAAG-token-1a2b");
  });

  it("uses a fresh IV each time", () => {
    expect(encryptSecret("same", key)).not.toBe(encryptSecret("same", key));
  });

  it("rejects a wrong key and any tampering", () => {
    const sealed = encryptSecret("secret", key);
    expect(() => decryptSecret(sealed, otherKey)).toThrow();
    const parts = sealed.split(".");
    const data = Buffer.from(parts[3]!, "base64url");
    data[0] = data[0]! ^ 1;
    parts[3] = data.toString("base64url");
    expect(() => decryptSecret(parts.join("."), key)).toThrow();
    expect(() => decryptSecret("garbage", key)).toThrow(/format/);
  });

  it("hints only the last characters", () => {
    expect(secretHint("abcdef1a2b")).toBe("•••• 1a2b");
  });
});

describe("hashing and comparison", () => {
  it("hashes to lower-case sha-256 hex (FIPS 180-2 test vector)", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("compares in constant time regardless of length", () => {
    expect(safeEqual("token", "token")).toBe(true);
    expect(safeEqual("token", "tokem")).toBe(false);
    expect(safeEqual("token", "token-longer")).toBe(false);
  });
});
