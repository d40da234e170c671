import { describe, expect, it } from "vitest";
import { fixtureText } from "@/test/fixtures/webhooks";
import { signMetaBody, verifyMetaSignature } from "./signature";

const rawBody = Buffer.from(fixtureText("meta-reaction.json"), "utf8"); // contains a non-ASCII emoji (🔥)
const secret = "f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8";

describe("signMetaBody", () => {
  it("is HMAC-SHA256 in lower-case hex behind sha256= (RFC 4231-style vector)", () => {
    expect(signMetaBody("The quick brown fox jumps over the lazy dog", "key")).toBe("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  });

  it("signs a body whose bytes are not its characters (a multi-byte emoji)", () => {
    const text = rawBody.toString("utf8");
    expect(text).toContain('"emoji": "🔥"');
    expect(rawBody.length).toBeGreaterThan(text.length);
  });

  it("signs a string and its UTF-8 bytes identically", () => {
    expect(signMetaBody(rawBody.toString("utf8"), secret)).toBe(signMetaBody(rawBody, secret));
  });
});

describe("verifyMetaSignature", () => {
  const header = signMetaBody(rawBody, secret);

  it("accepts the raw bytes signed with the app secret", () => {
    expect(verifyMetaSignature(rawBody, header, [secret])).toEqual({ ok: true, secretIndex: 0 });
    expect(verifyMetaSignature(rawBody.toString("utf8"), header, [secret])).toEqual({ ok: true, secretIndex: 0 });
  });

  it("reports which of several candidate secrets matched", () => {
    expect(verifyMetaSignature(rawBody, header, ["other-app-secret", secret])).toEqual({ ok: true, secretIndex: 1 });
  });

  it("accepts upper-case hex and surrounding whitespace", () => {
    expect(verifyMetaSignature(rawBody, ` sha256=${header.slice(7).toUpperCase()} `, [secret])).toEqual({ ok: true, secretIndex: 0 });
  });

  it("reports a missing header", () => {
    expect(verifyMetaSignature(rawBody, null, [secret])).toEqual({ ok: false, reason: "missing" });
    expect(verifyMetaSignature(rawBody, "  ", [secret])).toEqual({ ok: false, reason: "missing" });
  });

  it.each(["abc", `sha1=${"a".repeat(40)}`, "sha256=", `sha256=${"a".repeat(63)}`, `sha256=${"g".repeat(64)}`, `${header}00`])(
    "reports a malformed header: %s",
    (bad) => {
      expect(verifyMetaSignature(rawBody, bad, [secret])).toEqual({ ok: false, reason: "malformed" });
    },
  );

  it("rejects a wrong secret, a tampered body and re-serialised JSON", () => {
    expect(verifyMetaSignature(rawBody, header, ["wrong"])).toEqual({ ok: false, reason: "mismatch" });
    const tampered = Buffer.from(rawBody);
    tampered[0] = 0x20; // "{" → " "
    expect(verifyMetaSignature(tampered, header, [secret])).toEqual({ ok: false, reason: "mismatch" });
    const reserialised = JSON.stringify(JSON.parse(rawBody.toString("utf8")));
    expect(verifyMetaSignature(reserialised, header, [secret])).toEqual({ ok: false, reason: "mismatch" });
  });

  it("never verifies with no secrets or an empty secret", () => {
    expect(verifyMetaSignature(rawBody, header, [])).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyMetaSignature(rawBody, signMetaBody(rawBody, ""), [""])).toEqual({ ok: false, reason: "mismatch" });
  });

  it("covers the bytes as received, not their text: a BOM or invalid UTF-8 verifies only as those bytes", () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rawBody)]);
    const invalid = Buffer.from(rawBody);
    invalid[1] = 0xff; // a byte that is never UTF-8
    for (const bytes of [withBom, invalid]) {
      const signed = signMetaBody(bytes, "app-secret");
      expect(verifyMetaSignature(bytes, signed, ["app-secret"])).toEqual({ ok: true, secretIndex: 0 });
      // decoding drops the BOM (TextDecoder's default) or turns the byte into U+FFFD: no longer the signed bytes
      expect(verifyMetaSignature(new TextDecoder().decode(bytes), signed, ["app-secret"]).ok).toBe(false);
    }
  });
});
