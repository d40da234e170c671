"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { updateTenantSettings } from "@/db/queries/tenants";
import { defineAction } from "@/lib/action";
import { createInvite, revokeInvite } from "@/lib/accounts/invites";
import { apiKeyNameSchema, createUserSchema, inviteUserSchema, organisationSettingsSchema, updateUserSchema } from "@/lib/accounts/schemas";
import { createUser, removeUser, updateUserAccount } from "@/lib/accounts/users";
import { createApiKey, revokeApiKeyById } from "@/lib/api-keys";
import { signIn } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { dripSettingsSchema, saveDripSettings } from "@/lib/drip/settings";

const admin = "admin" as const;
const byId = z.object({ id: z.uuid() });
const done = <T>(value: T) => {
  revalidatePath("/settings");
  return value;
};

/**
 * The workspace's name, its inactivity threshold (subscribers silent for that many days become inactive) and how many
 * days the webhook log keeps processed events.
 */
export const saveOrganisationAction = defineAction(
  { role: admin, schema: organisationSettingsSchema },
  async ({ name, inactiveAfterDays, webhookEventRetentionDays }, user) => {
    await updateTenantSettings(await getDb(), user.tenantId, { name, inactiveAfterDays, webhookEventRetentionDays });
    revalidatePath("/", "layout");
    return { name, inactiveAfterDays, webhookEventRetentionDays };
  },
);

/** Quiet hours and the conversion events that stop a lead's drip; answers the saved values. */
export const saveDripSettingsAction = defineAction({ role: admin, schema: dripSettingsSchema }, async (input, user) =>
  done(await saveDripSettings(await getDb(), { tenantId: user.tenantId, input })),
);

export const createUserAction = defineAction({ role: admin, schema: createUserSchema }, async (input, user) =>
  done(await createUser(await getDb(), { tenantId: user.tenantId, input })),
);

/** Returns the invite link once; only the token's hash is stored. */
export const inviteUserAction = defineAction({ role: admin, schema: inviteUserSchema }, async (input, user) => {
  const { invite, token } = await createInvite(await getDb(), { tenantId: user.tenantId, invitedBy: user.id, input, now: new Date() });
  return done({ email: invite.email, expiresAt: invite.expiresAt.getTime(), url: new URL(`/invite/${token}`, getEnv().APP_URL).toString() });
});

export const revokeInviteAction = defineAction({ role: admin, schema: byId }, async ({ id }, user) =>
  done(await revokeInvite(await getDb(), { tenantId: user.tenantId, id, now: new Date() }).then(() => null)),
);

export const updateUserAction = defineAction({ role: admin, schema: z.object({ id: z.uuid(), input: updateUserSchema }) }, async ({ id, input }, user) => {
  const updated = await updateUserAccount(await getDb(), { tenantId: user.tenantId, actorId: user.id, userId: id, input });
  // a new password ends all of the user's sessions; an admin who changed their own keeps this one,
  // signed in again with the new password (if that fails, they simply sign in again)
  if (id === user.id && input.password) {
    await signIn("credentials", { email: updated.email, password: input.password, redirect: false }).catch(() => undefined);
  }
  revalidatePath(`/settings/users/${id}`);
  return done(updated);
});

export const removeUserAction = defineAction({ role: admin, schema: byId }, async ({ id }, user) =>
  done(await removeUser(await getDb(), { tenantId: user.tenantId, actorId: user.id, userId: id }).then(() => null)),
);

/** Returns the key's secret exactly once. */
export const createApiKeyAction = defineAction({ role: admin, schema: apiKeyNameSchema }, async ({ name }, user) => {
  const { apiKey, secret } = await createApiKey(await getDb(), { tenantId: user.tenantId, name, createdBy: user.id });
  return done({ id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix, secret });
});

export const revokeApiKeyAction = defineAction({ role: admin, schema: byId }, async ({ id }, user) =>
  done(await revokeApiKeyById(await getDb(), { tenantId: user.tenantId, id, now: new Date() }).then(() => null)),
);
