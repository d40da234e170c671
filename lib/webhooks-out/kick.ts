// The in-process nudge between the parts of outgoing webhooks: whoever makes a delivery due (an emitted event, an
// admin's resend, an endpoint switched back on) calls kickDeliveries(); the delivery loop (lib/webhooks-out) listens
// with onDeliveriesKicked(). A process without a listener (a script, a test) loses nothing: the scheduled work
// drains due deliveries too.
type Listener = () => void;
const listeners = new Set<Listener>();

export function kickDeliveries(): void {
  for (const l of listeners) l();
}

/** Subscribes; returns the unsubscribe. */
export function onDeliveriesKicked(listener: Listener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
