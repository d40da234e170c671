"use server";

import { getDb } from "@/db/client";
import { defineAction } from "@/lib/action";
import { organisationSchema, switchWorkspaceSchema } from "@/lib/accounts/schemas";
import { createWorkspace, requireMembership } from "@/lib/accounts/workspaces";
import { setActiveWorkspace, signOut } from "@/lib/auth";

export async function signOutAction() {
  await signOut({ redirectTo: "/login" });
}

/** Makes one of the user's own workspaces this browser's active one (the client then reloads /dashboard). */
export const switchWorkspaceAction = defineAction({ role: "marketer", schema: switchWorkspaceSchema }, async ({ tenantId }, user) => {
  const membership = await requireMembership(await getDb(), { userId: user.id, tenantId });
  await setActiveWorkspace(membership.tenantId);
  return { tenantId: membership.tenantId };
});

/** Creates an empty workspace (the caller must be an admin somewhere), makes them its admin and switches to it. */
export const createWorkspaceAction = defineAction({ role: "marketer", schema: organisationSchema }, async ({ name }, user) => {
  const workspace = await createWorkspace(await getDb(), { userId: user.id, name });
  await setActiveWorkspace(workspace.tenantId);
  return workspace;
});
