// Where a subscriber stands on messaging, read from their opt-in and opt-out times as one current state: a STOP
// followed by a START is "subscribed again", not two contradictory facts. Keywords and the team's own opt-out write
// these times (lib/whatsapp/ingest-inbound.ts, lib/subscribers/manage.ts); the later of the two is the current one.

export type ConsentFacts = { status: string; optInAt: Date | null; optOutAt: Date | null; firstSeenAt: Date };

export type ConsentState =
  /** Opted out and not back: `at` is when (null when only the status says so), `optedInBefore` an earlier opt-in */
  | { kind: "opted_out"; at: Date | null; optedInBefore: Date | null }
  /** Opted in after an opt-out: subscribed again */
  | { kind: "resubscribed"; at: Date; optedOutAt: Date }
  /** Opted in, never out */
  | { kind: "opted_in"; at: Date }
  /** Never used a keyword: messaging since they first wrote */
  | { kind: "subscribed"; since: Date };

export function consentState(s: ConsentFacts): ConsentState {
  const { optInAt, optOutAt } = s;
  const outIsLatest = optOutAt !== null && (optInAt === null || optOutAt.getTime() >= optInAt.getTime());
  if (outIsLatest) return { kind: "opted_out", at: optOutAt, optedInBefore: optInAt };
  if (s.status === "opted_out") return { kind: "opted_out", at: null, optedInBefore: optInAt };
  if (optInAt && optOutAt) return { kind: "resubscribed", at: optInAt, optedOutAt: optOutAt };
  if (optInAt) return { kind: "opted_in", at: optInAt };
  return { kind: "subscribed", since: s.firstSeenAt };
}
