// What the webhook pages hand their client components: the domain's shapes with times as epoch milliseconds.
import type { EndpointStatus, PublicAttempt, PublicDelivery, PublicWebhookEndpoint } from "@/lib/webhooks-out/endpoints";

const ms = (d: Date | null) => d?.getTime() ?? null;

export type EventTypeOption = { type: string; description: string };

export type EndpointView = {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  status: EndpointStatus;
  secretHint: string | null;
  previousSecretExpiresAt: number | null;
  failingSince: number | null;
  disabledAt: number | null;
  disabledReason: string | null;
  createdAt: number;
};

export function endpointView(e: PublicWebhookEndpoint): EndpointView {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    status: e.status,
    secretHint: e.secretHint,
    previousSecretExpiresAt: ms(e.previousSecretExpiresAt),
    failingSince: ms(e.failingSince),
    disabledAt: ms(e.disabledAt),
    disabledReason: e.disabledReason,
    createdAt: e.createdAt.getTime(),
  };
}

export type DeliveryView = Omit<PublicDelivery, "nextAttemptAt" | "lastAttemptAt" | "deliveredAt" | "createdAt"> & {
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  createdAt: number;
};

export const deliveryView = (d: PublicDelivery): DeliveryView => ({
  ...d,
  nextAttemptAt: d.nextAttemptAt.getTime(),
  lastAttemptAt: ms(d.lastAttemptAt),
  deliveredAt: ms(d.deliveredAt),
  createdAt: d.createdAt.getTime(),
});

export type AttemptView = Omit<PublicAttempt, "attemptedAt"> & { attemptedAt: number };
export const attemptView = (a: PublicAttempt): AttemptView => ({ ...a, attemptedAt: a.attemptedAt.getTime() });
