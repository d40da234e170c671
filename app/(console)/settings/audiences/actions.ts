"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import {
  audienceManageDepsFromEnv,
  connectAudience,
  disconnectAudience,
  fetchAdAccountAudiences,
  syncAudienceNow,
  updateAudience,
} from "@/lib/audiences/manage";
import { audiencePatchSchema, connectAudienceInputSchema, loadAudiencesInputSchema } from "@/lib/audiences/manage-input";
import { audienceView } from "./view";

const admin = "admin" as const;
const byId = z.object({ id: z.uuid() });
const revalidate = (id?: string) => {
  revalidatePath("/settings/audiences");
  if (id) revalidatePath(`/settings/audiences/${id}`);
  revalidatePath("/settings");
};

/** "Load audiences": the ad account's Custom Audiences, read with the chosen token (nothing is stored). */
export const loadAudiencesAction = defineAction({ role: admin, schema: loadAudiencesInputSchema }, async (input, user) =>
  fetchAdAccountAudiences(await getDb(), audienceManageDepsFromEnv(), { tenantId: user.tenantId, input }),
);

/** Connects a picked audience or creates one at Meta; its first full sync is queued. The token never comes back. */
export const connectAudienceAction = defineAction({ role: admin, schema: connectAudienceInputSchema }, async (input, user) => {
  const audience = await connectAudience(await getDb(), audienceManageDepsFromEnv(), { tenantId: user.tenantId, input, now: new Date() });
  revalidate();
  return audienceView(audience);
});

/** Name and segment (the edit dialog); a new segment queues a full sync. */
export const updateAudienceAction = defineAction(
  { role: admin, schema: byId.extend({ name: z.string(), segment: z.record(z.string(), z.unknown()) }) },
  async ({ id, ...patch }, user) => {
    const audience = await updateAudience(await getDb(), { tenantId: user.tenantId, id, patch: audiencePatchSchema.parse(patch), now: new Date() });
    revalidate(id);
    return audienceView(audience);
  },
);

/** The on/off switch: off stops syncing (Meta keeps the audience as it is); on syncs it fully again. */
export const setAudienceEnabledAction = defineAction({ role: admin, schema: byId.extend({ enabled: z.boolean() }) }, async ({ id, enabled }, user) => {
  const audience = await updateAudience(await getDb(), { tenantId: user.tenantId, id, patch: { enabled }, now: new Date() });
  revalidate(id);
  return audienceView(audience);
});

/** "Sync now": a full sync, queued at once. */
export const syncAudienceNowAction = defineAction({ role: admin, schema: byId }, async ({ id }, user) => {
  const audience = await syncAudienceNow(await getDb(), { tenantId: user.tenantId, id, now: new Date() });
  revalidate(id);
  return audienceView(audience);
});

/** Forgets the audience here; Meta's audience and the people in it stay. */
export const disconnectAudienceAction = defineAction({ role: admin, schema: byId }, async ({ id }, user) => {
  const gone = await disconnectAudience(await getDb(), { tenantId: user.tenantId, id });
  revalidate();
  return gone;
});
