// Group commit for accepted webhooks: while one INSERT is in flight, the events of concurrent
// requests queue up and go to the database together in the next one. Each request still answers
// only after its own row is committed (nothing is acknowledged before it is stored), but under load
// a few dozen requests share one statement and one commit instead of paying for their own. Two
// statements may be in flight at once, so the request thread never sits idle waiting for one commit
// while the next group is already queued.
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { insertWebhookEventRows, type NewWebhookEvent } from "@/db/queries/webhook-events";
import { type StoreWebhookEventInput, webhookEventValues } from "./store";

const MAX_ROWS = 200;
const MAX_IN_FLIGHT = 2;
type Waiting = { row: NewWebhookEvent & { id: string }; resolve: (id: string) => void; reject: (e: unknown) => void };
type Writer = { queue: Waiting[]; inFlight: number };

const g = globalThis as unknown as { __clicktrailEventWriters?: WeakMap<Db, Writer> };
const writers: WeakMap<Db, Writer> = (g.__clicktrailEventWriters ??= new WeakMap());

async function flush(db: Db, writer: Writer): Promise<void> {
  writer.inFlight++;
  while (writer.queue.length > 0) {
    const batch = writer.queue.splice(0, MAX_ROWS);
    try {
      await insertWebhookEventRows(db, batch.map((w) => w.row));
      for (const w of batch) w.resolve(w.row.id);
    } catch (e) {
      if (batch.length === 1) batch[0]!.reject(e);
      else {
        // one bad row must not fail its neighbours: store them one by one
        for (const w of batch) {
          await insertWebhookEventRows(db, [w.row]).then(() => w.resolve(w.row.id), w.reject);
        }
      }
    }
  }
  writer.inFlight--;
}

/** Stores one event (resolved once committed), sharing the INSERT with concurrent requests. */
export function storeWebhookEventGrouped(db: Db, input: StoreWebhookEventInput): Promise<string> {
  let writer = writers.get(db);
  if (!writer) {
    writer = { queue: [], inFlight: 0 };
    writers.set(db, writer);
  }
  const w = writer;
  return new Promise<string>((resolve, reject) => {
    w.queue.push({ row: { ...webhookEventValues(input), id: randomUUID() }, resolve, reject });
    if (w.inFlight < MAX_IN_FLIGHT) void flush(db, w);
  });
}
