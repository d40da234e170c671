"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import {
  createEndpoint,
  deleteEndpoint,
  endpointInputSchema,
  endpointKeysFromEnv,
  endpointPatchSchema,
  resendDelivery,
  rotateEndpointSecret,
  updateEndpoint,
} from "@/lib/webhooks-out/endpoints";
import { endpointFormSchema } from "./form-schema";
import { endpointView } from "./view";

const admin = "admin" as const;
const byId = z.object({ id: z.uuid() });
const revalidate = (id?: string) => {
  revalidatePath("/settings/webhooks");
  if (id) revalidatePath(`/settings/webhooks/${id}`);
  revalidatePath("/settings");
};

/** Adds an endpoint; the answer carries its signing secret, the only time it is shown. */
export const createEndpointAction = defineAction({ role: admin, schema: endpointFormSchema }, async (values, user) => {
  const input = endpointInputSchema.parse(values); // the domain's rules (event types known, description nullable)
  const { secret, ...endpoint } = await createEndpoint(await getDb(), endpointKeysFromEnv(), { tenantId: user.tenantId, input, now: new Date() });
  revalidate();
  return { endpoint: endpointView(endpoint), secret };
});

/** The edit form: every field at once. */
export const updateEndpointAction = defineAction({ role: admin, schema: endpointFormSchema.extend({ id: z.uuid() }) }, async ({ id, ...values }, user) => {
  const patch = endpointPatchSchema.parse(values);
  const endpoint = await updateEndpoint(await getDb(), endpointKeysFromEnv(), { tenantId: user.tenantId, id, patch, now: new Date() });
  revalidate(id);
  return endpointView(endpoint);
});

/** The on/off switch, and "Switch back on" after the endpoint was switched off for failing. */
export const setEndpointEnabledAction = defineAction({ role: admin, schema: byId.extend({ enabled: z.boolean() }) }, async ({ id, enabled }, user) => {
  const endpoint = await updateEndpoint(await getDb(), endpointKeysFromEnv(), { tenantId: user.tenantId, id, patch: { enabled }, now: new Date() });
  revalidate(id);
  return endpointView(endpoint);
});

/** A new secret, shown once; the previous one keeps signing for 24 hours. */
export const rotateEndpointSecretAction = defineAction({ role: admin, schema: byId }, async ({ id }, user) => {
  const { secret, ...endpoint } = await rotateEndpointSecret(await getDb(), endpointKeysFromEnv(), { tenantId: user.tenantId, id, now: new Date() });
  revalidate(id);
  return { endpoint: endpointView(endpoint), secret };
});

export const deleteEndpointAction = defineAction({ role: admin, schema: byId }, async ({ id }, user) => {
  await deleteEndpoint(await getDb(), { tenantId: user.tenantId, id });
  revalidate();
  return null;
});

/** Sends one delivery again now (`endpointId` only names the page to refresh). */
export const resendDeliveryAction = defineAction({ role: admin, schema: byId.extend({ endpointId: z.uuid() }) }, async ({ id, endpointId }, user) => {
  const resent = await resendDelivery(await getDb(), { tenantId: user.tenantId, id, now: new Date() });
  revalidate(endpointId);
  return { id: resent.id, nextAttemptAt: resent.nextAttemptAt.getTime() };
});
