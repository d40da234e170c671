// The endpoint form's fields as the browser checks them while typing (inline errors). The server action checks the
// same values again with the domain's schema (lib/webhooks-out/endpoints.ts) and the URL against the egress rules;
// this module stays free of server code so the client form can import it.
import { z } from "zod";

/** `eventTypes: ["*"]`: all events, including types added later. */
export const ALL_EVENTS = "*";

export const endpointFormSchema = z.object({
  url: z
    .string()
    .trim()
    .min(1, "Enter the URL")
    .max(2048, "At most 2048 characters")
    .regex(/^https?:\/\/\S+$/i, "Enter a full URL, starting with https://"),
  description: z.string().trim().max(200, "At most 200 characters"),
  eventTypes: z.array(z.string()).min(1, "Choose at least one event, or All events"),
  enabled: z.boolean(),
});
export type EndpointFormValues = z.input<typeof endpointFormSchema>;
