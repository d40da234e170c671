// Delivery outcomes are written in groups (lib/group-writer.ts: one statement, one commit for the
// outcomes that finish together). A delivery made right after its request's answer waits a few
// milliseconds for the ones finishing beside it (nobody waits for it); the queue's drain, whose
// throughput is its latency, does not wait. Each caller resumes once its own outcome is committed.
import type { Db } from "@/db/client";
import { type ConversionAttemptRecord, saveConversionAttempts } from "@/db/queries";
import { groupWriter } from "@/lib/group-writer";
import { CAPI_FORWARD_JOB } from "./deliver-policy";

/** How long an outcome of a delivery right after the answer waits for company. */
export const AFTER_ANSWER_LINGER_MS = 10;

const writeAttempts = groupWriter<ConversionAttemptRecord>(
  "conversion-attempts",
  (db, records) => saveConversionAttempts(db, { kind: CAPI_FORWARD_JOB, records }),
  { maxItems: 200 },
);

/** Records one delivery attempt on its conversion and job; resolves once committed. */
export function recordConversionAttempt(db: Db, record: ConversionAttemptRecord, opts: { lingerMs?: number } = {}): Promise<void> {
  return writeAttempts(db, record, opts);
}
