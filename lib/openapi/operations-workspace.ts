// Who is calling, the dashboard, users, API keys and the developer tools (the simulator's set-up and the
// OpenAPI document itself).
import { z } from "zod";
import { getFirstTenant, getTenantById } from "@/db/queries";
import { ROLES } from "@/db/schema";
import { apiKeyNameSchema, createUserSchema, updateUserSchema } from "@/lib/accounts/schemas";
import { createUser, listUsersPage, removeUser, requireUser, updateUserAccount } from "@/lib/accounts/users";
import { createApiKey, listApiKeysPage, revokeApiKeyById } from "@/lib/api-keys";
import type { ApiPrincipal } from "@/lib/auth";
import { type Dashboard, getDashboard } from "@/lib/dashboard";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { numberDepsFromEnv } from "@/lib/numbers/deps";
import { pageParamsSchema } from "@/lib/pagination";
import { prepareSimulatorNumber } from "@/lib/simulator";
import { type ApiOperation, defineOperation, reply } from "./registry";
import { type Equal, type Jsonified, pageOf, simulatorNumberSchema } from "./schemas";

const uuid = z.uuid();
const isoTime = z.string().meta({ format: "date-time" });
const count = z.number().int().min(0);

const pageNotes = {
  cursor: "`nextCursor` of the previous page; omit for the first page",
  limit: "Rows per page",
};

// A console session whose password an admin set (registry.ts's standard errors add 403 only for roles above marketer)

const tenantRef = z
  .object({ id: uuid, name: z.string() })
  .nullable()
  .meta({ description: "The workspace (null only if it was deleted since the request authenticated)" });

export const meSchema = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("api_key"),
      tenantId: uuid,
      apiKeyId: uuid.meta({ description: "The API key the request was sent with" }),
      userId: z.null(),
      role: z.enum(ROLES).meta({ description: "Always `admin`: an API key acts as an admin of its workspace" }),
      tenant: tenantRef,
    }),
    z.object({
      kind: z.literal("session"),
      tenantId: uuid.meta({ description: "The workspace the browser has chosen" }),
      userId: uuid.meta({ description: "The signed-in user" }),
      role: z.enum(ROLES).meta({ description: "The user's role in this workspace" }),
      tenant: tenantRef,
    }),
  ])
  .meta({ id: "Me", description: "An API key (`kind: api_key`) or a console session (`kind: session`), and its workspace" });
type MeAnswer = ApiPrincipal & { tenant: { id: string; name: string } | null };
const _meIsExact: Equal<z.output<typeof meSchema>, Jsonified<MeAnswer>> = true;

export const dashboardSchema = z
  .object({
    counts: z.object({
      numbers: count.meta({ description: "Connected WhatsApp numbers, active or not" }),
      activeNumbers: count,
      subscribers: count.meta({ description: "Everyone who has written to the workspace's numbers" }),
      conversations7d: count.meta({ description: "Conversations started in the last 7 × 24 hours" }),
      adConversations7d: count.meta({ description: "… of them started by a Click-to-WhatsApp ad" }),
      queuePending: count.meta({ description: "Drip messages waiting to be sent" }),
      queueFailed: count.meta({ description: "Drip messages that failed" }),
      conversionsSent: count.meta({ description: "Conversions Meta accepted (all time)" }),
      conversionsFailed: count.meta({ description: "Conversions that failed or Meta rejected (all time)" }),
    }),
    adShare: z.number().min(0).max(1).nullable().meta({ description: "adConversations7d / conversations7d (0 to 1); null when there were no conversations" }),
    series: z
      .array(
        z.object({
          day: z.iso.date().meta({ description: "A UTC day, YYYY-MM-DD" }),
          ad: count.meta({ description: "Conversations started by an ad" }),
          organic: count.meta({ description: "All the others" }),
        }),
      )
      .meta({ description: "Conversations started per UTC day: the last 14 days (today included), oldest first, every day present" }),
    generatedAt: isoTime.meta({ description: "When the figures were read" }),
  })
  .meta({ id: "Dashboard" });
const _dashboardIsExact: Equal<z.output<typeof dashboardSchema>, Jsonified<Dashboard>> = true;

export const userSchema = z
  .object({
    id: uuid,
    tenantId: uuid.meta({ description: "The workspace this membership is of" }),
    email: z.string().meta({ description: "The sign-in email, shared by all the account's workspaces" }),
    name: z.string(),
    role: z.enum(ROLES).meta({ description: "Their role in this workspace" }),
    lastLoginAt: isoTime.nullable().meta({ description: "Their last sign-in (to any workspace); null: never" }),
    createdAt: isoTime.meta({ description: "When they joined this workspace" }),
  })
  .meta({ id: "User", description: "A member of the workspace (never their password)" });
type PublicUser = Jsonified<Awaited<ReturnType<typeof requireUser>>>;
const _userIsExact: Equal<z.output<typeof userSchema>, PublicUser> = true;
const _createdUserIsExact: Equal<z.output<typeof userSchema>, Jsonified<Awaited<ReturnType<typeof createUser>>>> = true;
const _listedUserIsExact: Equal<z.output<typeof userSchema>, Jsonified<Awaited<ReturnType<typeof listUsersPage>>["rows"][number]>> = true;

const apiKeyFields = {
  id: uuid,
  name: z.string(),
  prefix: z.string().meta({ description: "The key's first 11 characters (`ck_` and 8 more), to recognise it by" }),
  createdBy: uuid.nullable().meta({ description: "The user who created it; null when an API key or BOOTSTRAP_API_KEY did, or that user's account is gone" }),
  lastUsedAt: isoTime.nullable().meta({ description: "Its last use, to the minute; null: never used" }),
  revokedAt: isoTime.nullable().meta({ description: "When it was revoked (it no longer works); null: active" }),
  createdAt: isoTime,
};
export const apiKeySchema = z.object(apiKeyFields).meta({ id: "ApiKey", description: "An API key, without the key itself" });
const _apiKeyIsExact: Equal<z.output<typeof apiKeySchema>, Jsonified<Awaited<ReturnType<typeof listApiKeysPage>>["rows"][number]>> = true;

export const createdApiKeySchema = z
  .object({ ...apiKeyFields, secret: z.string().meta({ description: "The key, `ck_…`: send it as `Authorization: Bearer ck_…`. Shown only in this answer" }) })
  .meta({ id: "CreatedApiKey", description: "A new API key, with the key itself this once" });
type CreatedApiKey = Awaited<ReturnType<typeof createApiKey>>;
const _createdApiKeyIsExact: Equal<z.output<typeof createdApiKeySchema>, Jsonified<CreatedApiKey["apiKey"] & { secret: CreatedApiKey["secret"] }>> = true;

export const openApiDocumentSchema = z
  .looseObject({
    openapi: z
      .string()
      .regex(/^3\.1\.\d+$/)
      .meta({ description: "`3.1.0`" }),
    info: z.looseObject({ title: z.string(), version: z.string().meta({ description: "This server's version" }), description: z.string() }),
    servers: z.array(z.looseObject({ url: z.string().meta({ description: "APP_URL" }) })),
    paths: z.record(z.string(), z.looseObject({})).meta({ description: "Every operation, by path and then by method" }),
    components: z.looseObject({}).meta({ description: "The shared schemas and the security schemes" }),
  })
  .meta({ id: "OpenApiDocument", description: "An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0): this one" });

/** The JSON of the document, built once per process (per APP_URL). */
let cachedDocument: { appUrl: string; json: string } | undefined;

export const workspaceOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/me",
    operationId: "getMe",
    tag: "Workspace",
    summary: "Who is calling",
    description: "The workspace, and the user or API key the request authenticated as. A cheap way to check an API key.",
    responses: [{ status: 200, description: "The caller", schema: meSchema }],
    handler: async ({ db, principal }) => {
      const tenant = await getTenantById(db, principal.tenantId);
      return { ...principal, tenant: tenant ? { id: tenant.id, name: tenant.name } : null };
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/dashboard",
    operationId: "getDashboard",
    tag: "Workspace",
    summary: "Dashboard",
    description: "The home dashboard: counts, the share of ad-started conversations, and conversations per day for the last 14 days.",
    responses: [{ status: 200, description: "The figures", schema: dashboardSchema }],
    handler: async ({ db, tenantId }) => getDashboard(db, { tenantId, now: new Date() }),
  }),
];

export const userOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/users",
    operationId: "listUsers",
    tag: "Users",
    summary: "List users",
    description: "The members of the workspace, each with their role here (`role`, `tenantId`; `createdAt` is when they joined it), newest first.",
    role: "admin",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of users (never their password hashes)", schema: pageOf(userSchema) }],
    handler: async ({ db, tenantId, query }) => listUsersPage(db, { tenantId, ...query }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/users",
    operationId: "createUser",
    tag: "Users",
    summary: "Create a user",
    description:
      "A new account, a member of this workspace, who signs in with this email and password (and must choose their own password at their first sign-in). An email that already has an account (in any workspace) is refused: invite it from the console instead.",
    role: "admin",
    body: createUserSchema,
    bodyNotes: { email: "A valid email; stored lower-cased" },
    bodyExample: { name: "Ana Lima", email: "ana@example.com", role: "manager", password: "a-long-passphrase" },
    responses: [{ status: 201, description: "The user", schema: userSchema }],
    errors: [{ status: 409, code: "conflict", message: "A user with this email already exists" }],
    handler: async ({ db, tenantId, body }) => createUser(db, { tenantId, input: body }),
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/users/{id}",
    operationId: "getUser",
    tag: "Users",
    summary: "Get a user",
    role: "admin",
    responses: [{ status: 200, description: "The user", schema: userSchema }],
    handler: async ({ db, tenantId, params }) => requireUser(db, { tenantId, id: params.id }),
  }),
  defineOperation({
    method: "patch",
    path: "/api/v1/users/{id}",
    operationId: "updateUser",
    tag: "Users",
    summary: "Update a user",
    description:
      "Changes the role in this workspace, or the account's name or password (at least one). A workspace always keeps one admin, and you cannot remove your own admin role. The name and password are shared by every workspace the account belongs to: they change only when the caller is an admin of all of them (an API key: when the account belongs to its workspace alone).",
    role: "admin",
    body: updateUserSchema,
    bodyExample: { role: "marketer" },
    responses: [{ status: 200, description: "The user", schema: userSchema }],
    errors: [
      { status: 403, code: "forbidden", message: "You cannot remove your own admin role" },
      {
        status: 403,
        code: "forbidden",
        message:
          "This person also belongs to a workspace you are not an admin of: only they, or an admin of all their workspaces, can change their name or password",
      },
      { status: 409, code: "conflict", message: "A workspace needs at least one admin" },
    ],
    handler: async ({ db, principal, tenantId, params, body }) =>
      updateUserAccount(db, { tenantId, actorId: principal.userId, userId: params.id, input: body }),
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/users/{id}",
    operationId: "deleteUser",
    tag: "Users",
    summary: "Remove a user",
    description:
      "Removes them from this workspace only (their other workspaces stay; an account left with none is deleted). Never yourself, and never the last admin.",
    role: "admin",
    responses: [{ status: 204, description: "Removed" }],
    errors: [
      { status: 403, code: "forbidden", message: "You cannot remove yourself" },
      { status: 409, code: "conflict", message: "A workspace needs at least one admin" },
    ],
    handler: async ({ db, principal, tenantId, params }) => {
      await removeUser(db, { tenantId, actorId: principal.userId, userId: params.id });
      return new Response(null, { status: 204 });
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/api-keys",
    operationId: "listApiKeys",
    tag: "API keys",
    summary: "List API keys",
    description: "Name, prefix, creation, last use and revocation of each key (revoked ones included), newest first; never the key itself.",
    role: "admin",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of keys", schema: pageOf(apiKeySchema) }],
    handler: async ({ db, tenantId, query }) => listApiKeysPage(db, { tenantId, ...query }),
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/api-keys",
    operationId: "createApiKey",
    tag: "API keys",
    summary: "Create an API key",
    description: "The answer carries the key (`secret`, `ck_…`) once: only its SHA-256 is stored.",
    role: "admin",
    body: apiKeyNameSchema,
    bodyExample: { name: "CRM" },
    responses: [{ status: 201, description: "The key, with `secret` (shown only now)", schema: createdApiKeySchema }],
    handler: async ({ db, principal, tenantId, body }) => {
      const { apiKey, secret } = await createApiKey(db, { tenantId, name: body.name, createdBy: principal.userId });
      return { ...apiKey, secret };
    },
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/api-keys/{id}",
    operationId: "revokeApiKey",
    tag: "API keys",
    summary: "Revoke an API key",
    description:
      "The key stops working at once (another server process of the deployment may accept it for up to 5 more seconds). It stays in the list with its `revokedAt`; a key already revoked answers 404.",
    role: "admin",
    responses: [{ status: 204, description: "Revoked" }],
    handler: async ({ db, tenantId, params }) => {
      await revokeApiKeyById(db, { tenantId, id: params.id, now: new Date() });
      return new Response(null, { status: 204 });
    },
  }),
];

export const toolOperations: ApiOperation[] = [
  defineOperation({
    method: "post",
    path: "/api/v1/simulator",
    operationId: "prepareSimulator",
    tag: "Developer tools",
    summary: "Prepare the simulator number",
    description:
      "What `npm run simulate` calls: creates (or re-keys) an inactive *Simulator* number and answers the app secret to sign simulated webhooks with. With a manager's API key or session it is that workspace's; with the server's `CRON_SECRET` the first workspace's.",
    auth: ["apiKey", "session", "cronSecret"],
    role: "manager",
    responses: [
      { status: 201, description: "Created", schema: simulatorNumberSchema },
      { status: 200, description: "Already there: re-keyed", schema: simulatorNumberSchema },
    ],
    errors: [{ status: 409, code: "conflict", message: "No workspace exists yet: open the console and finish set-up first" }],
    handler: async (ctx) => {
      // with CRON_SECRET there is no caller (ctx.tenantId would throw): the first workspace
      let tenantId: string;
      if (ctx.viaCronSecret) {
        const tenant = await getFirstTenant(ctx.db);
        if (!tenant) throw new AppError("conflict", "No workspace exists yet: open the console and finish set-up first");
        tenantId = tenant.id;
      } else {
        tenantId = ctx.tenantId;
      }
      const prepared = await prepareSimulatorNumber(ctx.db, numberDepsFromEnv().keys, { tenantId });
      return prepared.created ? prepared : reply(200, prepared);
    },
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/openapi.json",
    operationId: "getOpenApiDocument",
    tag: "Developer tools",
    summary: "This API description",
    description:
      "The OpenAPI 3.1 document of /api/v1, generated from the operations' declarations (the zod schemas the server validates with). No authentication; cacheable for 5 minutes, and readable from any origin.",
    auth: [],
    responses: [{ status: 200, description: "The OpenAPI document", schema: openApiDocumentSchema, contentType: "application/json" }],
    handler: async () => {
      // lazily: document.ts imports the list of operations this file is part of
      const { getOpenApiDocument } = await import("./document");
      const appUrl = getEnv().APP_URL;
      if (cachedDocument?.appUrl !== appUrl) cachedDocument = { appUrl, json: JSON.stringify(getOpenApiDocument(appUrl), null, 2) };
      return new Response(cachedDocument.json, {
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=300", "access-control-allow-origin": "*" },
      });
    },
  }),
];
