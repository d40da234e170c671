// Which drip messages are the queue's failures: the one definition behind the Failed figure, the Failures view of the
// queue monitor and the dashboard's count. A failure did not go out and needs a person: the provider refused it, or a
// rule skipped it (outside the 24 h window without a template, no number, an inactive template). Cancelled messages
// were stopped on purpose (a manager, an opt-out, a reply, a conversion) and are not failures. No imports: client
// components read it too.
export const OUTBOUND_FAILURE_STATUSES = ["failed", "skipped"] as const;
export type OutboundFailureStatus = (typeof OUTBOUND_FAILURE_STATUSES)[number];
