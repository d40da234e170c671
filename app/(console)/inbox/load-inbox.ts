// Everything the inbox page renders first, for the signed-in user: the filters read from the URL, the first
// page of chats, the chat opened by ?chat=, and the menus (numbers, ads, and the members a manager assigns).
import { z } from "zod";
import type { Db } from "@/db/client";
import { numberLabel } from "@/components/console/names";
import { type InboxFilterValues, INBOX_FILTER_KEYS } from "@/components/inbox/format";
import type { Chat, ChatPage, Member } from "@/components/inbox/api";
import { listUsersPage } from "@/lib/accounts/users";
import { AppError } from "@/lib/errors";
import { hasAssignedChats } from "@/lib/inbox/assign";
import { type ChatFilters, chatFiltersSchema, listChats, requireChat } from "@/lib/inbox/list";
import { listNumbersPage } from "@/lib/numbers/numbers";
import { hasRole } from "@/lib/roles";
import type { Role } from "@/lib/roles-types";
import { listAdFilterOptions } from "@/lib/subscribers/ad-options";
import { loadFilteredPage, readUrlFilters } from "@/lib/url-filters";

export type InboxViewer = { id: string; role: Role; tenantId: string };

export type InboxData = {
  values: InboxFilterValues;
  errors: Partial<Record<string, string>>;
  page: ChatPage;
  chatId: string | null;
  chat: Chat | null;
  chatError: string | null;
  numbers: { value: string; label: string }[];
  ads: { value: string; label: string }[];
  /** the members a manager may assign (empty for a marketer, who only takes a chat for themselves) */
  members: Member[];
  canAssign: boolean;
  at: string;
};

/** Dates as the API answers them (ISO strings), so the first render and the polls share one shape. */
const asJson = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

export async function loadInbox(db: Db, input: { viewer: InboxViewer; raw: Record<string, string | string[] | undefined>; now: Date }): Promise<InboxData> {
  const { viewer, raw, now } = input;
  const tenantId = viewer.tenantId;
  const canAssign = hasRole(viewer.role, "manager");
  // like Chatwoot's Mine tab: a member with chats assigned to them sees those first, until they pick another view
  const mineFirst = raw.assigned === undefined && (await hasAssignedChats(db, { tenantId, userId: viewer.id }));
  const read = readUrlFilters(mineFirst ? { ...raw, assigned: "me" } : raw, INBOX_FILTER_KEYS, chatFiltersSchema, { assigned: "anyone" } as ChatFilters);
  const chatId = typeof raw.chat === "string" && z.uuid().safeParse(raw.chat).success ? raw.chat : null;
  const [numbers, adOptions, members, loaded, chat] = await Promise.all([
    listNumbersPage(db, { tenantId, limit: 200 }),
    listAdFilterOptions(db, tenantId),
    canAssign ? listUsersPage(db, { tenantId, limit: 100 }) : null,
    loadFilteredPage(read, undefined, (filters) => listChats(db, { tenantId, viewerUserId: viewer.id, filters, limit: 50, now })),
    chatId
      ? requireChat(db, { tenantId, id: chatId, now }).catch((e: unknown) => {
          if (e instanceof AppError && e.code === "not_found") return null;
          throw e;
        })
      : null,
  ]);
  return {
    values: read.values,
    errors: read.errors,
    page: asJson<ChatPage>(loaded.page),
    chatId: chat ? chat.id : null,
    chat: chat ? asJson<Chat>(chat) : null,
    chatError:
      chatId && !chat
        ? "That chat is not in this workspace (or no longer exists)."
        : typeof raw.chat === "string" && !chatId
          ? "That is not a chat link."
          : null,
    numbers: numbers.rows.map((n) => ({ value: n.id, label: numberLabel(n) })),
    ads: adOptions.ads.map(({ value, label }) => ({ value, label })),
    members: members ? members.rows.map((m) => ({ id: m.id, name: m.name })) : [],
    canAssign,
    at: now.toISOString(),
  };
}
