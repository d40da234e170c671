// The managers' Telegram bot: one bot per workspace (its encrypted token, the hash of the secret Telegram sends
// back, the linked chat), console users' Telegram links, and one message per lead with where its call flow stands.
// Every read is scoped by tenant, except the update route's lookup by the URL's own key (which finds the tenant).
import { and, desc, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  ads,
  leads,
  memberships,
  outboundMessages,
  subscribers,
  telegramBots,
  telegramLeadMessages,
  telegramUserLinks,
  tenants,
  users,
  type TelegramBot,
  type TelegramLeadMessage,
} from "../schema";
import { rowsOf } from "../migrations-info";
import { takeFirstOrNull } from "./keyset";

export type TelegramBotRow = TelegramBot;
export type TelegramLeadMessageRow = TelegramLeadMessage;
export type TelegramNoticeKind = "notifyNewLead" | "notifyDripReply" | "notifyDripFailed" | "notifyQualityDrop";

export async function getTelegramBot(db: Db, { tenantId }: { tenantId: string }): Promise<TelegramBotRow | null> {
  return takeFirstOrNull(await db.select().from(telegramBots).where(eq(telegramBots.tenantId, tenantId)).limit(1));
}

/** The update route's lookup: the bot whose webhook URL carries this key, with its workspace's name. */
export async function getTelegramBotByWebhookKey(db: Db, { webhookKey }: { webhookKey: string }) {
  return takeFirstOrNull(
    await db
      .select({ bot: telegramBots, tenantName: tenants.name })
      .from(telegramBots)
      .innerJoin(tenants, eq(tenants.id, telegramBots.tenantId))
      .where(eq(telegramBots.webhookKey, webhookKey))
      .limit(1),
  );
}

/**
 * A notice's target: the workspace's bot when it has a linked chat and the notice is on (one read of the
 * tenant's unique index); null otherwise.
 */
export async function getTelegramNoticeTarget(db: Db, { tenantId, notice }: { tenantId: string; notice: TelegramNoticeKind }) {
  return takeFirstOrNull(
    await db
      .select({ id: telegramBots.id, tokenEnc: telegramBots.tokenEnc, chatId: telegramBots.chatId, lastError: telegramBots.lastError })
      .from(telegramBots)
      .where(and(eq(telegramBots.tenantId, tenantId), eq(telegramBots[notice], true), isNotNull(telegramBots.chatId)))
      .limit(1),
  ) as { id: string; tokenEnc: string; chatId: string; lastError: string | null } | null;
}

/**
 * The "drip message failed" notices of these failed drip rows (their ids; rows not failed are left out): only rows
 * of workspaces whose bot has the notice on and a linked chat, with the lead's name, the template and the error, in
 * the order they failed. One statement for any workspaces; nothing read beyond the bots' index when none has it on.
 */
export async function listDripFailureNotices(db: Db, { ids }: { ids: readonly string[] }) {
  if (ids.length === 0) return [];
  const rows = rowsOf<{ tenant_id: string; phone: string; template_name: string | null; error: string | null; lead_name: string | null }>(
    await db.execute(sql`
      with b as materialized (
        select tenant_id from ${telegramBots} where notify_drip_failed and chat_id is not null
          and tenant_id in (select tenant_id from ${outboundMessages} where id = any(${`{${ids.join(",")}}`}::uuid[]))
      )
      select o.tenant_id, o.phone, o.template_name, coalesce(o.error_message, o.error_code) as error, l.name as lead_name
        from ${outboundMessages} o
        join b on b.tenant_id = o.tenant_id
        left join ${leads} l on l.id = o.lead_id and l.tenant_id = o.tenant_id
        where o.id = any(${`{${ids.join(",")}}`}::uuid[]) and o.status = 'failed'
        order by o.updated_at, o.id`),
  );
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    recipient: r.phone,
    templateName: r.template_name,
    error: r.error ?? "unknown error",
    leadName: r.lead_name,
  }));
}

/**
 * The leads with a running drip (enrolled, campaign active) of subscribers who wrote to us: by the subscriber's id,
 * or by phone for a lead made before the subscriber was known. For the "replied to a drip" notice.
 */
export async function listDripReplyLeads(db: Db, { tenantId, subscribers: who }: { tenantId: string; subscribers: { id: string | null; waPhone: string }[] }) {
  if (who.length === 0) return [];
  const ids = who.flatMap((w) => (w.id ? [w.id] : []));
  const phones = who.map((w) => w.waPhone);
  return db
    .select({ id: leads.id, name: leads.name, phone: leads.phone, subscriberId: leads.subscriberId })
    .from(leads)
    .where(
      and(
        eq(leads.tenantId, tenantId),
        eq(leads.campaignActive, true),
        isNotNull(leads.enrolledAt),
        or(ids.length > 0 ? inArray(leads.subscriberId, ids) : undefined, inArray(leads.phone, phones)),
      ),
    )
    .orderBy(desc(leads.enrolledAt));
}

/** Connects (or replaces) the workspace's bot: a new token, webhook key and secret; the chat link starts over. */
export async function upsertTelegramBot(
  db: Db,
  values: Pick<TelegramBot, "tenantId" | "tokenEnc" | "botId" | "botUsername" | "webhookKey" | "secretTokenHash" | "linkCodeHash"> & {
    linkCodeExpiresAt: Date;
    now: Date;
  },
): Promise<TelegramBotRow> {
  const { now, ...row } = values;
  const fresh = { ...row, chatId: null, chatTitle: null, chatType: null, lastError: null, updatedAt: now };
  const [saved] = await db
    .insert(telegramBots)
    .values({ ...fresh, createdAt: now })
    .onConflictDoUpdate({ target: telegramBots.tenantId, set: fresh })
    .returning();
  return saved!;
}

export async function updateTelegramBot(
  db: Db,
  { tenantId }: { tenantId: string },
  set: Partial<
    Pick<
      TelegramBot,
      | "chatId"
      | "chatTitle"
      | "chatType"
      | "linkCodeHash"
      | "linkCodeExpiresAt"
      | "notifyNewLead"
      | "notifyDripReply"
      | "notifyDripFailed"
      | "notifyQualityDrop"
      | "lastError"
      | "updatedAt"
    >
  >,
): Promise<TelegramBotRow | null> {
  return takeFirstOrNull(await db.update(telegramBots).set(set).where(eq(telegramBots.tenantId, tenantId)).returning());
}

/** Binds the chat when `linkCodeHash` is still the bot's and unexpired (the code works once); null otherwise. */
export async function linkTelegramChat(
  db: Db,
  { tenantId, linkCodeHash, chat, now }: { tenantId: string; linkCodeHash: string; chat: { id: string; title: string | null; type: string }; now: Date },
): Promise<TelegramBotRow | null> {
  return takeFirstOrNull(
    await db
      .update(telegramBots)
      .set({ chatId: chat.id, chatTitle: chat.title, chatType: chat.type, linkCodeHash: null, linkCodeExpiresAt: null, updatedAt: now })
      .where(and(eq(telegramBots.tenantId, tenantId), eq(telegramBots.linkCodeHash, linkCodeHash), gt(telegramBots.linkCodeExpiresAt, now)))
      .returning(),
  );
}

/** A group became a supergroup: the bot's chat and its lead messages move to the new chat id (when it was the bot's chat). */
export async function migrateTelegramChat(
  db: Db,
  { tenantId, fromChatId, toChatId, now }: { tenantId: string; fromChatId: string; toChatId: string; now: Date },
) {
  return db.transaction(async (tx) => {
    const moved = await tx
      .update(telegramBots)
      .set({ chatId: toChatId, chatType: "supergroup", updatedAt: now })
      .where(and(eq(telegramBots.tenantId, tenantId), eq(telegramBots.chatId, fromChatId)))
      .returning({ id: telegramBots.id });
    if (moved.length === 0) return false;
    await tx
      .update(telegramLeadMessages)
      .set({ chatId: toChatId, updatedAt: now })
      .where(and(eq(telegramLeadMessages.tenantId, tenantId), eq(telegramLeadMessages.chatId, fromChatId)));
    return true;
  });
}

export async function deleteTelegramBot(db: Db, { tenantId }: { tenantId: string }): Promise<TelegramBotRow | null> {
  return takeFirstOrNull(await db.delete(telegramBots).where(eq(telegramBots.tenantId, tenantId)).returning());
}

/** A console user's pending link code (one per user and workspace; a new code replaces the old one). */
export async function upsertTelegramUserLinkCode(
  db: Db,
  { tenantId, userId, linkCodeHash, expiresAt, now }: { tenantId: string; userId: string; linkCodeHash: string; expiresAt: Date; now: Date },
) {
  await db
    .insert(telegramUserLinks)
    .values({ tenantId, userId, linkCodeHash, linkCodeExpiresAt: expiresAt, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [telegramUserLinks.tenantId, telegramUserLinks.userId],
      set: { linkCodeHash, linkCodeExpiresAt: expiresAt, updatedAt: now },
    });
}

export async function getTelegramUserLink(db: Db, { tenantId, userId }: { tenantId: string; userId: string }) {
  return takeFirstOrNull(
    await db
      .select()
      .from(telegramUserLinks)
      .where(and(eq(telegramUserLinks.tenantId, tenantId), eq(telegramUserLinks.userId, userId)))
      .limit(1),
  );
}

export async function deleteTelegramUserLink(db: Db, { tenantId, userId }: { tenantId: string; userId: string }) {
  await db.delete(telegramUserLinks).where(and(eq(telegramUserLinks.tenantId, tenantId), eq(telegramUserLinks.userId, userId)));
}

/**
 * `/me CODE`: the pending link with this code becomes this Telegram user's (unlinking them from any other console
 * user of the workspace first). Returns the console user's name, or null for a wrong or expired code.
 */
export async function claimTelegramUserLink(
  db: Db,
  {
    tenantId,
    linkCodeHash,
    telegramUserId,
    telegramUsername,
    now,
  }: { tenantId: string; linkCodeHash: string; telegramUserId: string; telegramUsername: string | null; now: Date },
): Promise<{ userId: string; name: string } | null> {
  return db.transaction(async (tx) => {
    const pending = takeFirstOrNull(
      await tx
        .select({ id: telegramUserLinks.id, userId: telegramUserLinks.userId, name: users.name })
        .from(telegramUserLinks)
        .innerJoin(users, eq(users.id, telegramUserLinks.userId))
        .where(and(eq(telegramUserLinks.tenantId, tenantId), eq(telegramUserLinks.linkCodeHash, linkCodeHash), gt(telegramUserLinks.linkCodeExpiresAt, now)))
        .limit(1)
        .for("update", { of: telegramUserLinks }),
    );
    if (!pending) return null;
    await tx
      .update(telegramUserLinks)
      .set({ telegramUserId: null, telegramUsername: null, linkedAt: null, updatedAt: now })
      .where(and(eq(telegramUserLinks.tenantId, tenantId), eq(telegramUserLinks.telegramUserId, telegramUserId)));
    await tx
      .update(telegramUserLinks)
      .set({ telegramUserId, telegramUsername, linkedAt: now, linkCodeHash: null, linkCodeExpiresAt: null, updatedAt: now })
      .where(eq(telegramUserLinks.id, pending.id));
    return { userId: pending.userId, name: pending.name };
  });
}

/** The console user a Telegram user linked to in this workspace (null when they have not). */
export async function findLinkedConsoleUser(db: Db, { tenantId, telegramUserId }: { tenantId: string; telegramUserId: string }) {
  return takeFirstOrNull(
    await db
      .select({ userId: telegramUserLinks.userId, name: users.name })
      .from(telegramUserLinks)
      .innerJoin(users, eq(users.id, telegramUserLinks.userId))
      // still a member of this workspace: a removed member's presses are recorded by their Telegram name only
      .innerJoin(memberships, and(eq(memberships.userId, telegramUserLinks.userId), eq(memberships.tenantId, telegramUserLinks.tenantId)))
      .where(and(eq(telegramUserLinks.tenantId, tenantId), eq(telegramUserLinks.telegramUserId, telegramUserId)))
      .limit(1),
  );
}

/** What the new-lead message shows: the lead, and its subscriber's first-touch ad and campaign names when known. */
export async function getLeadNoticeFields(db: Db, { tenantId, leadId }: { tenantId: string; leadId: string }) {
  return takeFirstOrNull(
    await db
      .select({
        id: leads.id,
        name: leads.name,
        phone: leads.phone,
        segment: leads.segment,
        source: leads.source,
        adId: subscribers.firstTouchAdId,
        adName: ads.adName,
        campaignName: ads.campaignName,
      })
      .from(leads)
      .leftJoin(subscribers, eq(subscribers.id, leads.subscriberId))
      .leftJoin(ads, and(eq(ads.tenantId, leads.tenantId), eq(ads.adId, subscribers.firstTouchAdId)))
      .where(and(eq(leads.tenantId, tenantId), eq(leads.id, leadId)))
      .limit(1),
  );
}

/** The lead's message row, created once per lead (a repeat returns the existing one with `created: false`). */
export async function insertTelegramLeadMessage(
  db: Db,
  { tenantId, leadId, chatId, now }: { tenantId: string; leadId: string; chatId: string; now: Date },
): Promise<{ row: TelegramLeadMessageRow; created: boolean }> {
  const [inserted] = await db
    .insert(telegramLeadMessages)
    .values({ tenantId, leadId, chatId, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: telegramLeadMessages.leadId })
    .returning();
  if (inserted) return { row: inserted, created: true };
  const existing = await getTelegramLeadMessageByLead(db, { tenantId, leadId });
  if (!existing) throw new Error("telegram_lead_messages conflicted on lead_id but has no row for this tenant's lead");
  return { row: existing, created: false };
}

export async function getTelegramLeadMessageByLead(db: Db, { tenantId, leadId }: { tenantId: string; leadId: string }) {
  return takeFirstOrNull(
    await db
      .select()
      .from(telegramLeadMessages)
      .where(and(eq(telegramLeadMessages.tenantId, tenantId), eq(telegramLeadMessages.leadId, leadId)))
      .limit(1),
  );
}

export async function getTelegramLeadMessage(db: Db, { tenantId, id }: { tenantId: string; id: string }) {
  return takeFirstOrNull(
    await db
      .select()
      .from(telegramLeadMessages)
      .where(and(eq(telegramLeadMessages.tenantId, tenantId), eq(telegramLeadMessages.id, id)))
      .limit(1),
  );
}

export async function setTelegramLeadMessageId(db: Db, { tenantId, id, messageId, now }: { tenantId: string; id: string; messageId: string; now: Date }) {
  await db
    .update(telegramLeadMessages)
    .set({ messageId, updatedAt: now })
    .where(and(eq(telegramLeadMessages.tenantId, tenantId), eq(telegramLeadMessages.id, id)));
}

/**
 * Moves the call flow one step, only from the step expected (`new` → `asked` → `done`): of two presses at
 * once, one wins and the other gets null. Locks the row until the caller's transaction ends.
 */
export async function advanceTelegramLeadMessage(
  db: Db,
  {
    tenantId,
    id,
    from,
    set,
  }: {
    tenantId: string;
    id: string;
    from: TelegramLeadMessageRow["step"];
    set: Partial<
      Pick<TelegramLeadMessageRow, "step" | "outcome" | "actedByTelegramUserId" | "actedByTelegramName" | "actedByUserId" | "actedAt" | "updatedAt">
    >;
  },
): Promise<TelegramLeadMessageRow | null> {
  return takeFirstOrNull(
    await db
      .update(telegramLeadMessages)
      .set(set)
      .where(and(eq(telegramLeadMessages.tenantId, tenantId), eq(telegramLeadMessages.id, id), eq(telegramLeadMessages.step, from)))
      .returning(),
  );
}

/** How the lead's call went in Telegram, for its console page ("Called via Telegram by …"); null when not via Telegram. */
export async function getTelegramCallNote(db: Db, { tenantId, leadId }: { tenantId: string; leadId: string }) {
  return takeFirstOrNull(
    await db
      .select({ outcome: telegramLeadMessages.outcome, by: telegramLeadMessages.actedByTelegramName, at: telegramLeadMessages.actedAt })
      .from(telegramLeadMessages)
      .where(and(eq(telegramLeadMessages.tenantId, tenantId), eq(telegramLeadMessages.leadId, leadId), sql`${telegramLeadMessages.step} = 'done'`))
      .limit(1),
  );
}
