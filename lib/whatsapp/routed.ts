// Shared shapes of the ingestion batch: an item of a parsed webhook, routed to one of our numbers.
import type { RoutingNumber } from "@/db/queries";
import type { ChangeEvent } from "./normalised";

export type EventContext = { eventId: string; receivedAt: Date; rawVersion: string };
export type Routed<T> = { item: T; number: RoutingNumber; ctx: EventContext };
export type UserEvent = Extract<ChangeEvent, { kind: "user_event" }>;
export type UserPreference = Extract<ChangeEvent, { kind: "user_preference" }>;
/** A WABA-level change (template status, quality, account) and the numbers it concerns. */
export type AccountWork = { item: ChangeEvent; numbers: RoutingNumber[] };

export const maxDate = (a: Date | null, b: Date | null): Date | null => (!a ? b : !b ? a : a.getTime() >= b.getTime() ? a : b);
export const minDate = (a: Date | null, b: Date | null): Date | null => (!a ? b : !b ? a : a.getTime() <= b.getTime() ? a : b);
