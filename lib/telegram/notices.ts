// The optional notices in the managers' chat, each behind its toggle on the bot's card: a subscriber replied to a
// drip, a drip message failed, a number's quality dropped. Sent after the fact was committed, never inside a
// transaction and never failing the work that caused them: the drip run, the webhook ingestion and their
// transactions hand their notices to sendNoticesLater. Cheap when the workspace has no bot (or the notice is off):
// one read of the tenant's unique index per batch and nothing else. Never throw: a failure is kept on the bot's card.
import type { Db } from "@/db/client";
import { getTelegramBot, listDripFailureNotices, listDripReplyLeads, type TelegramNoticeKind, updateTelegramBot } from "@/db/queries/telegram";
import { openSecret } from "@/lib/crypto";
import { afterResponse } from "@/lib/http";
import { formatPhone } from "@/lib/phone";
import { escapeHtml, sendTelegramMessage, type TelegramDeps, telegramDepsFromEnv } from "./client";

export type NoticeResult = { sent: string } | { skipped: "off" | "token_unreadable" | "no_drip" } | { failed: string };

/** "Replied to a drip": sent only when the subscriber has a lead whose drip is running (its name is shown). */
export type DripReplyNotice = {
  kind: "notifyDripReply";
  tenantId: string;
  subscriberId?: string | null;
  name: string | null;
  phone: string;
  text: string | null;
  leadName?: string | null;
};
export type DripFailedNotice = {
  kind: "notifyDripFailed";
  tenantId: string;
  recipient: string;
  templateName: string | null;
  error: string;
  leadName?: string | null;
};
export type QualityDropNotice = { kind: "notifyQualityDrop"; tenantId: string; numberLabel: string; phone: string; from: string | null; to: string };
export type Notice = DripReplyNotice | DripFailedNotice | QualityDropNotice;

/** At most this many notices of one kind per workspace and batch; the rest are summed up in one more message. */
export const MAX_NOTICES_PER_BATCH = 10;

const clip = (s: string, max = 500) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function noticeText(n: Notice): string {
  switch (n.kind) {
    case "notifyDripReply": {
      const who = escapeHtml(n.leadName ?? n.name ?? "A subscriber");
      const body = n.text ? `\n«${escapeHtml(clip(n.text, 300))}»` : "";
      return `💬 <b>${who}</b> (${escapeHtml(formatPhone(n.phone))}) replied to a drip message${body}`;
    }
    case "notifyDripFailed": {
      const who = n.leadName ? `${escapeHtml(n.leadName)} (${escapeHtml(formatPhone(n.recipient))})` : escapeHtml(formatPhone(n.recipient));
      const template = n.templateName ? ` “${escapeHtml(n.templateName)}”` : "";
      return `⚠️ Drip message${template} to ${who} failed: ${escapeHtml(clip(n.error))}`;
    }
    case "notifyQualityDrop": {
      const change = n.from ? `${escapeHtml(n.from)} → <b>${escapeHtml(n.to)}</b>` : `<b>${escapeHtml(n.to)}</b>`;
      return `📉 Quality of ${escapeHtml(n.numberLabel)} (${escapeHtml(formatPhone(n.phone))}) dropped: ${change}`;
    }
  }
}

const MORE: Record<TelegramNoticeKind, string> = {
  notifyNewLead: "new leads",
  notifyDripReply: "replies to drip messages",
  notifyDripFailed: "failed drip messages",
  notifyQualityDrop: "quality drops",
};

type Indexed = { n: Notice; i: number };

/** Replies of subscribers with no running drip are left out (`no_drip`); the others get their lead's name (one read). */
async function withDripLeads(db: Db, tenantId: string, items: Indexed[], results: NoticeResult[]): Promise<Indexed[]> {
  const open = (n: Notice): n is DripReplyNotice => n.kind === "notifyDripReply" && n.leadName === undefined;
  const replies = items.flatMap(({ n }) => (open(n) ? [n] : []));
  if (replies.length === 0) return items;
  const leads = await listDripReplyLeads(db, { tenantId, subscribers: replies.map((r) => ({ id: r.subscriberId ?? null, waPhone: r.phone })) });
  return items.flatMap(({ n, i }): Indexed[] => {
    if (!open(n)) return [{ n, i }];
    const lead = leads.find((l) => (n.subscriberId && l.subscriberId === n.subscriberId) || l.phone === n.phone);
    if (!lead) results[i] = { skipped: "no_drip" };
    return lead ? [{ n: { ...n, leadName: lead.name }, i }] : [];
  });
}

/** The messages for one chat: each notice, at most MAX_NOTICES_PER_BATCH of a kind (the last one sums up the rest). */
function messagesOf(items: Indexed[]): { text: string; at: number[] }[] {
  const byKind = new Map<TelegramNoticeKind, Indexed[]>();
  for (const item of items) byKind.set(item.n.kind, [...(byKind.get(item.n.kind) ?? []), item]);
  return [...byKind].flatMap(([kind, list]) => {
    if (list.length <= MAX_NOTICES_PER_BATCH) return list.map(({ n, i }) => ({ text: noticeText(n), at: [i] }));
    const head = list.slice(0, MAX_NOTICES_PER_BATCH - 1);
    const rest = list.slice(MAX_NOTICES_PER_BATCH - 1);
    return [...head.map(({ n, i }) => ({ text: noticeText(n), at: [i] })), { text: `…and ${rest.length} more ${MORE[kind]}`, at: rest.map((r) => r.i) }];
  });
}

/**
 * Sends notices of any workspaces: each workspace's bot is read once, and only the notices it has on go to its
 * linked chat, in order per kind (at most MAX_NOTICES_PER_BATCH messages of a kind: the last says how many more).
 * A failure is kept on the bot's card (last_error); nothing throws. Results in the notices' order.
 */
export async function sendNotices(db: Db, deps: TelegramDeps | (() => TelegramDeps), notices: readonly Notice[]): Promise<NoticeResult[]> {
  const results: NoticeResult[] = notices.map(() => ({ skipped: "off" }));
  for (const tenantId of new Set(notices.map((n) => n.tenantId))) {
    try {
      const bot = await getTelegramBot(db, { tenantId });
      const chatId = bot?.chatId;
      if (!bot || !chatId) continue;
      const on = notices.flatMap((n, i) => (n.tenantId === tenantId && bot[n.kind] ? [{ n, i }] : []));
      if (on.length === 0) continue;
      const resolved = typeof deps === "function" ? (deps = deps()) : deps;
      const token = openSecret(bot.tokenEnc, resolved.encryptionKey);
      if (!token) {
        for (const { i } of on) results[i] = { skipped: "token_unreadable" };
        continue;
      }
      for (const m of messagesOf(await withDripLeads(db, tenantId, on, results))) {
        const sent = await sendTelegramMessage(resolved, token, { chatId, text: m.text });
        for (const i of m.at) results[i] = sent.ok ? { sent: String(sent.result.message_id) } : { failed: sent.error.description };
        if (!sent.ok) {
          await updateTelegramBot(db, { tenantId }, { lastError: `Notice not sent: ${sent.error.description}`, updatedAt: new Date() });
          break; // the chat or the token is broken: the rest would fail the same way
        }
      }
    } catch (e) {
      console.error("[clicktrail] telegram notice failed", e);
      const failed = { failed: e instanceof Error ? e.message : String(e) };
      for (const [i, n] of notices.entries()) if (n.tenantId === tenantId && !("sent" in results[i]!)) results[i] = failed;
    }
  }
  return results;
}

const inFlight = new Set<Promise<unknown>>();

/**
 * Runs `task` (sending notices) after the caller's work: after the response inside a request (Next's after(), so
 * a serverless function stays alive for it), else at once in the background. Never throws, never awaited by the
 * caller; an error is logged. `noticesSettled()` waits for the tasks started so far (tests, a run's end).
 */
export function sendLater(task: () => Promise<unknown>): void {
  afterResponse(() => {
    const run = task()
      .catch((e: unknown) => console.error("[clicktrail] telegram notices failed", e))
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
    return run;
  });
}

/** sendNotices after the caller's work (sendLater); `deps` from the environment unless given. */
export function sendNoticesLater(db: Db, notices: readonly Notice[], deps: TelegramDeps | (() => TelegramDeps) = telegramDepsFromEnv): void {
  if (notices.length === 0) return;
  sendLater(() => sendNotices(db, deps, notices));
}

/** Drip rows that failed (their ids): a notice each to the workspaces whose bot has the notice on (one read for all). */
export function notifyDripFailuresLater(db: Db, ids: readonly string[], deps: TelegramDeps | (() => TelegramDeps) = telegramDepsFromEnv): void {
  if (ids.length === 0) return;
  sendLater(async () => {
    const rows = await listDripFailureNotices(db, { ids });
    if (rows.length > 0)
      await sendNotices(
        db,
        deps,
        rows.map((r): DripFailedNotice => ({ kind: "notifyDripFailed", ...r })),
      );
  });
}

/** Waits for the notices started so far (and those they start). */
export async function noticesSettled(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

/** "A subscriber replied to a drip": who, from which phone, and the start of what they wrote. */
export async function notifyDripReply(db: Db, deps: TelegramDeps, input: Omit<DripReplyNotice, "kind">): Promise<NoticeResult> {
  return (await sendNotices(db, deps, [{ kind: "notifyDripReply", ...input }]))[0]!;
}

/** "A drip message failed": to whom, which template, and the provider's words. */
export async function notifyDripFailed(db: Db, deps: TelegramDeps, input: Omit<DripFailedNotice, "kind">): Promise<NoticeResult> {
  return (await sendNotices(db, deps, [{ kind: "notifyDripFailed", ...input }]))[0]!;
}

/** "The number's quality dropped": which number, from what to what (Meta's GREEN / YELLOW / RED). */
export async function notifyQualityDrop(db: Db, deps: TelegramDeps, input: Omit<QualityDropNotice, "kind">): Promise<NoticeResult> {
  return (await sendNotices(db, deps, [{ kind: "notifyQualityDrop", ...input }]))[0]!;
}
