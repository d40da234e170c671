// Every /api/v1 operation, in the order the docs list them. Each is declared once (lib/openapi/registry.ts):
// its route file serves it (lib/api/route.ts) and the document describes it (lib/openapi/document.ts).
import { conversionOperations } from "./operations-conversions";
import { inboxOperations } from "./operations-inbox";
import { leadOperations } from "./operations-leads";
import { messageOperations } from "./operations-messages";
import { numberOperations, webhookEventOperations } from "./operations-numbers";
import { queueOperations } from "./operations-queue";
import { replyOperations } from "./operations-replies";
import { subscriberOperations } from "./operations-subscribers";
import { templateOperations } from "./operations-templates";
import { outgoingWebhookOperations } from "./operations-webhooks";
import { toolOperations, userOperations, workspaceOperations } from "./operations-workspace";
import type { ApiOperation } from "./registry";

export const OPERATIONS: ApiOperation[] = [
  ...conversionOperations,
  ...subscriberOperations,
  ...inboxOperations,
  ...replyOperations,
  ...messageOperations,
  ...numberOperations,
  ...webhookEventOperations,
  ...outgoingWebhookOperations,
  ...leadOperations,
  ...templateOperations,
  ...queueOperations,
  ...workspaceOperations,
  ...userOperations,
  ...toolOperations,
];
