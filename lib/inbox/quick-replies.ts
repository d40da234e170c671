// Quick replies: saved answers the inbox composer inserts by shortcut. Managers write them, everyone reads them.
import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import {
  countQuickReplies,
  deleteQuickReply as deleteRow,
  getQuickReply,
  insertQuickReply,
  listQuickReplies as listRows,
  QUICK_REPLY_SHORTCUT_KEY,
  updateQuickReply as updateRow,
} from "@/db/queries/quick-replies";
import type { QuickReply } from "@/db/schema";
import { AppError } from "@/lib/errors";

/** A workspace keeps at most this many (the list is one answer). */
export const QUICK_REPLIES_MAX = 500;

const shortcut = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, "1–32 letters, digits, _ or -")
  .meta({ description: "Letters, digits, _ and -, 1–32; unique in the workspace" });
const text = z.string().trim().min(1).max(4096);

export const quickReplyInputSchema = z.strictObject({ shortcut, text });
export const quickReplyPatchSchema = z
  .strictObject({ shortcut: shortcut.optional(), text: text.optional() })
  .refine((p) => p.shortcut !== undefined || p.text !== undefined, "Give a shortcut or a text to change");

export type PublicQuickReply = { id: string; shortcut: string; text: string; createdAt: Date; updatedAt: Date };

const toPublic = (r: QuickReply): PublicQuickReply => ({ id: r.id, shortcut: r.shortcut, text: r.text, createdAt: r.createdAt, updatedAt: r.updatedAt });

async function withShortcutConflict<T>(shortcutOf: () => string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isUniqueViolation(e, QUICK_REPLY_SHORTCUT_KEY)) throw e;
    throw new AppError(
      "conflict",
      `A quick reply with the shortcut “${shortcutOf()}” already exists`,
      { fieldErrors: { shortcut: ["Another quick reply has this shortcut"] } },
      "shortcut_taken",
    );
  }
}

export async function listQuickReplies(db: Db, { tenantId }: { tenantId: string }): Promise<{ rows: PublicQuickReply[] }> {
  return { rows: (await listRows(db, { tenantId, limit: QUICK_REPLIES_MAX })).map(toPublic) };
}

export async function createQuickReply(
  db: Db,
  { tenantId, userId, input, now }: { tenantId: string; userId: string | null; input: z.output<typeof quickReplyInputSchema>; now: Date },
): Promise<PublicQuickReply> {
  if ((await countQuickReplies(db, { tenantId })) >= QUICK_REPLIES_MAX)
    throw new AppError("unprocessable", `A workspace keeps at most ${QUICK_REPLIES_MAX} quick replies: delete one first`, undefined, "too_many_quick_replies");
  const row = await withShortcutConflict(
    () => input.shortcut,
    () => insertQuickReply(db, { tenantId, shortcut: input.shortcut, text: input.text, createdByUserId: userId, createdAt: now, updatedAt: now }),
  );
  return toPublic(row);
}

export async function updateQuickReply(
  db: Db,
  { tenantId, id, patch, now }: { tenantId: string; id: string; patch: z.output<typeof quickReplyPatchSchema>; now: Date },
): Promise<PublicQuickReply> {
  const row = await withShortcutConflict(
    () => patch.shortcut,
    () => updateRow(db, { tenantId, id, patch, now }),
  );
  if (!row) throw new AppError("not_found", "Quick reply not found");
  return toPublic(row);
}

export async function deleteQuickReply(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<void> {
  if (!(await deleteRow(db, { tenantId, id }))) throw new AppError("not_found", "Quick reply not found");
}

export async function requireQuickReply(db: Db, { tenantId, id }: { tenantId: string; id: string }): Promise<PublicQuickReply> {
  const row = await getQuickReply(db, { tenantId, id });
  if (!row) throw new AppError("not_found", "Quick reply not found");
  return toPublic(row);
}
