import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseBodyJson, REFUSED_BODY_PREFIX_BYTES, storedBodyBytes, webhookEventValues } from "./store";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const values = (rawBody: Buffer, extra: { bounded?: boolean; tenantCopy?: string } = {}) =>
  webhookEventValues({ provider: "cloud", rawBody, signatureResult: "valid", ...extra });
const roundTrip = (v: ReturnType<typeof values>) => storedBodyBytes({ rawBody: v.rawBody, rawBodyExactB64: v.rawBodyExactB64 ?? null });

describe("webhookEventValues", () => {
  it("keeps a plain UTF-8 body as text alone", () => {
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}],"x":"Привет 👋"}');
    const v = values(body);
    expect(v).toMatchObject({ rawBodyKind: "exact", rawBodyExactB64: null, bodySha256: sha256(body), bodyBytes: body.byteLength });
    expect(roundTrip(v).equals(body)).toBe(true);
  });

  it("keeps the exact bytes of a body with a BOM, invalid UTF-8 or NUL", () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
    const invalid = Buffer.from('{"a":"xx"}');
    invalid.set([0xc3, 0x28], 6); // a lead byte followed by a byte that cannot continue it
    const nul = Buffer.from('{"a":"b\u0000c"}');
    for (const body of [bom, invalid, nul]) {
      const v = values(body);
      expect(v.rawBodyExactB64).not.toBeNull();
      expect(v.rawBody).not.toContain("\u0000");
      expect(roundTrip(v).equals(body)).toBe(true);
      expect(parseBodyJson(v.rawBody)).toBeTypeOf("object");
    }
  });

  it("keeps only a prefix, the size and the SHA-256 of a refused body", () => {
    const body = Buffer.alloc(200_000, 0x61);
    const v = values(body, { bounded: true });
    expect(v).toMatchObject({ rawBodyKind: "prefix", rawBodyExactB64: null, bodyBytes: 200_000, bodySha256: sha256(body) });
    expect(v.rawBody).toHaveLength(REFUSED_BODY_PREFIX_BYTES);
    expect(values(Buffer.from("{}"), { bounded: true })).toMatchObject({ rawBodyKind: "exact", rawBody: "{}" });
  });

  it("stores a workspace's copy with the digest of the whole delivery", () => {
    const body = Buffer.from('{"entry":[1,2]}');
    expect(values(body, { tenantCopy: '{"entry":[1]}' })).toMatchObject({
      rawBodyKind: "tenant_copy",
      rawBody: '{"entry":[1]}',
      bodySha256: sha256(body),
      bodyBytes: body.byteLength,
    });
  });
});
