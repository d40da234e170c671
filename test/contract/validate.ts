// Checks one /api/v1 answer against the OpenAPI document: its status is documented for the operation, its
// content type is one the document names, and a JSON body validates (ajv, JSON Schema 2020-12 as OpenAPI
// 3.1 uses). Used by test/contract/setup.ts for every answer the route tests produce.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { buildOpenApiDocument, type OpenApiDocument } from "@/lib/openapi/document";
import type { ApiOperation } from "@/lib/openapi/registry";

let doc: OpenApiDocument | undefined;
const validators = new Map<string, ValidateFunction>();
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats.default(ajv);

function documentOf(): OpenApiDocument {
  doc ??= buildOpenApiDocument({ appUrl: "http://localhost:3000" });
  return doc;
}

/** The JSON Schema of one documented response, with the document's components beside it for its $refs. */
function validatorFor(key: string, schema: object): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ ...schema, components: documentOf().components });
    validators.set(key, validate);
  }
  return validate;
}

/** What is wrong with this answer to `op`, or null when it is what the document says. */
export async function contractViolation(op: ApiOperation, res: Response): Promise<string | null> {
  const operation = documentOf().paths[op.path]?.[op.method];
  const where = `${op.method.toUpperCase()} ${op.path} answered ${res.status}`;
  if (!operation) return `${where}, but the document has no such operation`;
  const documented = operation.responses[String(res.status)];
  if (!documented) return `${where}, a status the document does not list (it lists ${Object.keys(operation.responses).join(", ")})`;
  const text = await res.text();
  const contentType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (!documented.content) return text === "" ? null : `${where} with a body, where the document says there is none`;
  // a documented `image/*` or `*/*` covers the types it names (media answers carry the provider's own type)
  const media = documented.content[contentType] ?? documented.content[`${contentType.split("/")[0]}/*`] ?? documented.content["*/*"];
  if (!media) return `${where} with content type "${contentType}", where the document says ${Object.keys(documented.content).join(" or ")}`;
  if (!contentType.endsWith("json") || !media.schema) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${where} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  const validate = validatorFor(`${op.operationId} ${res.status} ${contentType}`, media.schema);
  if (validate(body)) return null;
  const errors = (validate.errors ?? [])
    .slice(0, 8)
    .map((e) => `  ${e.instancePath || "(body)"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
  return `${where} with a body the document does not describe:\n${errors.join("\n")}\n  body: ${text.slice(0, 400)}`;
}
