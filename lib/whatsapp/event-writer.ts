// Group commit for accepted webhooks (lib/group-writer.ts): while an INSERT is in flight, the events of
// concurrent requests queue up and go to the database together in the next one. Each request still
// answers only after its own row is committed (nothing is acknowledged before it is stored), but under
// load a few dozen requests share one statement and one commit instead of paying for their own. Two
// statements may be in flight at once, so the request thread never sits idle waiting for one commit
// while the next group is already queued.
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { insertWebhookEventRows, type NewWebhookEvent } from "@/db/queries/webhook-events";
import { groupWriter } from "@/lib/group-writer";
import { type StoreWebhookEventInput, webhookEventValues } from "./store";

const writeEvents = groupWriter<NewWebhookEvent & { id: string }>("webhook-events", insertWebhookEventRows, { maxItems: 200, maxInFlight: 2 });

/** Stores one event (resolved with its id once committed), sharing the INSERT with concurrent requests. */
export async function storeWebhookEventGrouped(db: Db, input: StoreWebhookEventInput): Promise<string> {
  const row = { ...webhookEventValues(input), id: randomUUID() };
  await writeEvents(db, row);
  return row.id;
}
