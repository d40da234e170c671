// Delivery outcomes are written in groups (one statement, one commit) instead of one each: outcomes that
// arrive while a write is in flight go together in the next one, and a delivery made right after its
// request's answer waits a few milliseconds for the ones finishing beside it (nobody waits for it; the
// queue's drain, whose throughput is its latency, does not wait). Each caller resumes only once its own
// outcome is committed.
import type { Db } from "@/db/client";
import { type ConversionAttemptRecord, saveConversionAttempts } from "@/db/queries";
import { CAPI_FORWARD_JOB } from "./deliver-policy";

/** How long an outcome of a delivery right after the answer waits for company. */
export const AFTER_ANSWER_LINGER_MS = 10;
const MAX_RECORDS = 200;
type Waiting = { record: ConversionAttemptRecord; resolve: () => void; reject: (e: unknown) => void };
type Writer = { queue: Waiting[]; timer: NodeJS.Timeout | null; flushing: boolean };

const g = globalThis as unknown as { __clicktrailAttemptWriters?: WeakMap<Db, Writer> };
const writers: WeakMap<Db, Writer> = (g.__clicktrailAttemptWriters ??= new WeakMap());

async function flush(db: Db, writer: Writer): Promise<void> {
  writer.timer = null;
  writer.flushing = true;
  while (writer.queue.length > 0) {
    const batch = writer.queue.splice(0, MAX_RECORDS);
    try {
      await saveConversionAttempts(db, { kind: CAPI_FORWARD_JOB, records: batch.map((w) => w.record) });
      for (const w of batch) w.resolve();
    } catch (e) {
      if (batch.length === 1) batch[0]!.reject(e);
      else {
        // one bad record must not fail its neighbours: write them one by one
        for (const w of batch) await saveConversionAttempts(db, { kind: CAPI_FORWARD_JOB, records: [w.record] }).then(w.resolve, w.reject);
      }
    }
  }
  writer.flushing = false;
}

/** Records one delivery attempt on its conversion and job; resolves once committed. */
export function recordConversionAttempt(db: Db, record: ConversionAttemptRecord, { lingerMs = 0 }: { lingerMs?: number } = {}): Promise<void> {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = { queue: [], timer: null, flushing: false }));
  const w = writer;
  return new Promise<void>((resolve, reject) => {
    w.queue.push({ record, resolve, reject });
    if (w.flushing) return; // the running flush takes it next
    if (lingerMs > 0) {
      w.timer ??= setTimeout(() => void flush(db, w), lingerMs);
      return;
    }
    if (w.timer) clearTimeout(w.timer);
    void flush(db, w);
  });
}
