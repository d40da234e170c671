// Who is calling, the dashboard, users, API keys and the developer tools.
import { z } from "zod";
import { apiKeyNameSchema, createUserSchema, updateUserSchema } from "@/lib/accounts/schemas";
import { CONVERSION_EVENT_NAMES, conversionRequestSchema } from "@/lib/conversions/schema";
import { conversionFiltersSchema } from "@/lib/conversions/read";
import { createNumberSchema, numberPatchSchema, numberUpdateSchema } from "@/lib/numbers/schemas";
import { pageParamsSchema } from "@/lib/pagination";
import { attributionFormatSchema, attributionParamsSchema } from "@/lib/subscribers/attribution";
import { subscriberFiltersSchema } from "@/lib/subscribers/list-filters";
import { subscriberPatchSchema } from "@/lib/subscribers/manage";
import { webhookEventFiltersSchema } from "@/lib/webhook-events/list";
import { type ApiOperation, defineOperation } from "./registry";
import {
  conversionAcceptedSchema,
  conversionListItemSchema,
  conversionSchema,
  datasetResultSchema,
  looseObject,
  pageOf,
  principalSchema,
  replayOutcomeSchema,
  simulatorNumberSchema,
} from "./schemas";

const EXAMPLE_NUMBER_ID = "3f8b1c2e-5a4d-4e6f-9b7a-1c2d3e4f5a6b";
const EXAMPLE_CONVERSATION_ID = "8d2e6b1a-0c4f-4a7e-b3d5-9e8f7a6b5c4d";

const pageNotes = {
  cursor: "`nextCursor` of the previous page; omit for the first page",
  limit: "Rows per page",
};

const numberWithCheck = z.object({
  number: looseObject.meta({ description: "The number as GET /api/v1/numbers/{id} returns it (with its webhook set-up)" }),
  check: looseObject.meta({ description: "The connection test: status, Meta's verified name, quality rating and messaging tier, or Meta's error verbatim with a hint" }),
});

export const workspaceOperations: ApiOperation[] = [
  defineOperation({
    method: "get",
    path: "/api/v1/me",
    operationId: "getMe",
    tag: "Workspace",
    summary: "Who is calling",
    description: "The workspace, and the user or API key the request authenticated as. A cheap way to check an API key.",
    responses: [{ status: 200, description: "The caller", schema: principalSchema }],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/dashboard",
    operationId: "getDashboard",
    tag: "Workspace",
    summary: "Dashboard",
    description: "The home dashboard: counts, the share of ad-started conversations, and conversations per day for the last 14 days.",
    responses: [{ status: 200, description: "`{ counts, adShare, series, generatedAt }`", schema: looseObject }],
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
    responses: [{ status: 200, description: "One page of users (never their password hashes)", schema: pageOf(looseObject) }],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/users",
    operationId: "createUser",
    tag: "Users",
    summary: "Create a user",
    description: "A new account, a member of this workspace, who signs in with this email and password. An email that already has an account (in any workspace) is refused: invite it from the console instead.",
    role: "admin",
    body: createUserSchema,
    bodyNotes: { email: "A valid email; stored lower-cased" },
    bodyExample: { name: "Ana Lima", email: "ana@example.com", role: "manager", password: "a-long-passphrase" },
    responses: [{ status: 201, description: "The user", schema: looseObject }],
    errors: [{ status: 409, code: "conflict", message: "A user with this email already exists" }],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/users/{id}",
    operationId: "getUser",
    tag: "Users",
    summary: "Get a user",
    role: "admin",
    responses: [{ status: 200, description: "The user", schema: looseObject }],
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
    responses: [{ status: 200, description: "The user", schema: looseObject }],
    errors: [
      { status: 403, code: "forbidden", message: "You cannot remove your own admin role" },
      { status: 403, code: "forbidden", message: "This person also belongs to a workspace you are not an admin of: only they, or an admin of all their workspaces, can change their name or password" },
      { status: 409, code: "conflict", message: "A workspace needs at least one admin" },
    ],
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/users/{id}",
    operationId: "deleteUser",
    tag: "Users",
    summary: "Remove a user",
    description: "Removes them from this workspace only (their other workspaces stay; an account left with none is deleted). Never yourself, and never the last admin.",
    role: "admin",
    responses: [{ status: 204, description: "Removed" }],
    errors: [
      { status: 403, code: "forbidden", message: "You cannot remove yourself" },
      { status: 409, code: "conflict", message: "A workspace needs at least one admin" },
    ],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/api-keys",
    operationId: "listApiKeys",
    tag: "API keys",
    summary: "List API keys",
    description: "Name, prefix, creation and last use of each key; never the key itself.",
    role: "admin",
    query: [pageParamsSchema],
    queryNotes: pageNotes,
    responses: [{ status: 200, description: "One page of keys", schema: pageOf(looseObject) }],
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
    responses: [{ status: 201, description: "The key, with `secret` (shown only now)", schema: looseObject }],
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/api-keys/{id}",
    operationId: "revokeApiKey",
    tag: "API keys",
    summary: "Revoke an API key",
    description: "The key stops working at once.",
    role: "admin",
    responses: [{ status: 200, description: "The revoked key", schema: looseObject }],
  }),
];

export const toolOperations: ApiOperation[] = [
  defineOperation({
    method: "post",
    path: "/api/v1/simulator",
    operationId: "prepareSimulator",
    tag: "Developer tools",
    summary: "Prepare the simulator number",
    description: "What `npm run simulate` calls: creates (or re-keys) an inactive *Simulator* number and answers the app secret to sign simulated webhooks with. With a manager's API key or session it is that workspace's; with the server's `CRON_SECRET` the first workspace's.",
    auth: ["apiKey", "session", "cronSecret"],
    role: "manager",
    responses: [
      { status: 201, description: "Created", schema: simulatorNumberSchema },
      { status: 200, description: "Already there: re-keyed", schema: simulatorNumberSchema },
    ],
    errors: [{ status: 409, code: "conflict", message: "No workspace exists yet: open the console and finish set-up first" }],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/openapi.json",
    operationId: "getOpenApiDocument",
    tag: "Developer tools",
    summary: "This API description",
    description: "The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the routes validate with. No authentication.",
    auth: [],
    responses: [{ status: 200, description: "The OpenAPI document" }],
  }),
];
