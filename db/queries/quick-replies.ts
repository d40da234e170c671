// quick_replies: a workspace's saved answers for the inbox composer, one per shortcut.
import { and, asc, count, eq } from "drizzle-orm";
import type { Db } from "../client";
import { quickReplies, type NewQuickReply, type QuickReply } from "../schema";

export const QUICK_REPLY_SHORTCUT_KEY = "quick_replies_tenant_shortcut_key";

/** The workspace's quick replies by shortcut (a few dozen; at most `limit`). */
export async function listQuickReplies(db: Db, { tenantId, limit }: { tenantId: string; limit: number }): Promise<QuickReply[]> {
  return db.select().from(quickReplies).where(eq(quickReplies.tenantId, tenantId)).orderBy(asc(quickReplies.shortcut)).limit(limit);
}

export async function getQuickReply(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<QuickReply | null> {
  const [row] = await db
    .select()
    .from(quickReplies)
    .where(and(eq(quickReplies.tenantId, tenantId), eq(quickReplies.id, id)));
  return row ?? null;
}

export async function insertQuickReply(db: Db, values: NewQuickReply): Promise<QuickReply> {
  const [row] = await db.insert(quickReplies).values(values).returning();
  return row!;
}

export async function updateQuickReply(
  db: Db,
  { tenantId, id, patch, now }: { tenantId: string; id: string; patch: { shortcut?: string; text?: string }; now: Date },
): Promise<QuickReply | null> {
  const [row] = await db
    .update(quickReplies)
    .set({ ...patch, updatedAt: now })
    .where(and(eq(quickReplies.tenantId, tenantId), eq(quickReplies.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteQuickReply(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<boolean> {
  const rows = await db
    .delete(quickReplies)
    .where(and(eq(quickReplies.tenantId, tenantId), eq(quickReplies.id, id)))
    .returning({ id: quickReplies.id });
  return rows.length > 0;
}

export async function countQuickReplies(db: Db, { tenantId }: { tenantId: string }): Promise<number> {
  const [row] = await db.select({ n: count() }).from(quickReplies).where(eq(quickReplies.tenantId, tenantId));
  return row?.n ?? 0;
}
