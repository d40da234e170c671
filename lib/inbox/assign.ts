// Who answers a chat: managers and admins assign anyone of the workspace or unassign; a marketer takes an
// unassigned chat for themselves.
import type { Db } from "@/db/client";
import { getMembership } from "@/db/queries";
import { getChatKeys, hasChatsAssignedTo, setChatAssignee } from "@/db/queries/inbox";
import type { ApiPrincipal } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { ROLE_RANK } from "@/lib/roles";

const forbidden = (message: string) => new AppError("forbidden", message);

/**
 * Sets a chat's assignee (null: unassigned). A user of another workspace is 422 user_not_member; a marketer may
 * only take an unassigned chat for themselves (403 otherwise, also when someone took it a moment before).
 */
export async function assignChat(
  db: Db,
  { principal, chatId, assignedUserId, now }: { principal: ApiPrincipal; chatId: string; assignedUserId: string | null; now: Date },
): Promise<void> {
  const tenantId = principal.tenantId;
  const chat = await getChatKeys(db, { tenantId, id: chatId });
  if (!chat) throw new AppError("not_found", "Conversation not found");
  if (assignedUserId && !(await getMembership(db, { userId: assignedUserId, tenantId }))) {
    throw new AppError(
      "unprocessable",
      "That user is not a member of this workspace",
      { fieldErrors: { assignedUserId: ["Not a member"] } },
      "user_not_member",
    );
  }
  if (ROLE_RANK[principal.role] >= ROLE_RANK.manager) {
    await setChatAssignee(db, { tenantId, id: chatId, userId: assignedUserId, now });
    return;
  }
  if (assignedUserId === null || assignedUserId !== principal.userId) {
    throw forbidden("A marketer can only take an unassigned conversation for themselves; a manager assigns others or unassigns");
  }
  if (chat.assignedUserId === principal.userId) return;
  if (chat.assignedUserId !== null || !(await setChatAssignee(db, { tenantId, id: chatId, userId: assignedUserId, now, onlyIfUnassigned: true }))) {
    throw forbidden("This conversation is already assigned to someone else; ask a manager to reassign it");
  }
}

/** Whether a member has chats assigned to them: the inbox then opens on "Mine". */
export async function hasAssignedChats(db: Db, { tenantId, userId }: { tenantId: string; userId: string }): Promise<boolean> {
  return hasChatsAssignedTo(db, { tenantId, userId });
}
