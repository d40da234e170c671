// The document's own examples are valid against the document: every request body example against its
// operation's body schema, every success example against its response schema, every error example against
// the Error schema. (A client generated from the document would refuse an example that is not.)
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { HTTP_METHODS } from "@/lib/openapi/registry";

const doc = buildOpenApiDocument({ appUrl: "http://localhost:3000" });
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats.default(ajv);
const check = (schema: object, value: unknown) => {
  const validate = ajv.compile({ ...schema, components: doc.components });
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`);
};

const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  HTTP_METHODS.flatMap((m) => (item[m] ? [{ name: `${m.toUpperCase()} ${path}`, op: item[m] }] : [])),
);

describe("the document's examples", () => {
  it("request body examples match their body schemas", () => {
    const failures: string[] = [];
    let checked = 0;
    for (const { name, op } of operations) {
      const media = op.requestBody?.content["application/json"];
      if (!media?.schema || media.example === undefined) continue;
      checked++;
      for (const error of check(media.schema, media.example)) failures.push(`${name}: ${error}`);
    }
    expect(checked).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });

  it("response examples match their response schemas, error examples the Error schema", () => {
    const failures: string[] = [];
    let checked = 0;
    for (const { name, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (!media.schema || !type.endsWith("json")) continue;
          const examples = [...(media.example === undefined ? [] : [media.example]), ...Object.values(media.examples ?? {}).map((e) => e.value)];
          for (const example of examples) {
            checked++;
            for (const error of check(media.schema, example)) failures.push(`${name} ${status}: ${error}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });
});
