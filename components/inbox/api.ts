// The inbox's calls to /api/v1 from the browser, with the answers' types. A refusal becomes an Error with the
// API's own message (a JSON 404 for an operation that does not exist yet included), so callers toast it.
import type { PublicChat } from "@/lib/inbox/list";
import type { Transcript } from "@/lib/inbox/transcript";
import type { Jsonified } from "@/lib/openapi/schemas";

export type Chat = Jsonified<PublicChat>;
export type ChatTranscript = Jsonified<Transcript>;
export type ChatMessage = ChatTranscript["rows"][number];
export type ChatPage = { rows: Chat[]; nextCursor: string | null };
export type QuickReply = { id: string; shortcut: string; text: string; createdAt: string; updatedAt: string };
export type MetaTemplate = { id: string | null; name: string; language: string; body: string | null; parameters: string[]; unsupported: string | null };
export type Member = { id: string; name: string };

export type SendBody =
  { type: "text"; text: string; replyTo?: string } | { type: "template"; template: { name: string; language: string; parameters: string[] } };

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export async function apiCall<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { cache: "no-store", ...init, headers: { accept: "application/json", ...init?.headers } });
  } catch {
    throw new ApiError("The server could not be reached: check your connection", 0, null);
  }
  const body: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const fallback = res.status === 401 ? "Your session has ended: sign in again" : `The server answered HTTP ${res.status}`;
    throw new ApiError(error?.message ?? fallback, res.status, error?.code ?? null);
  }
  return body as T;
}

const json = (method: string, body?: unknown, headers?: Record<string, string>): RequestInit => ({
  method,
  headers: { "content-type": "application/json", ...headers },
  body: body === undefined ? undefined : JSON.stringify(body),
});

export const inboxApi = {
  listChats: (query: string, cursor?: string) => {
    const q = new URLSearchParams(query);
    if (cursor) q.set("cursor", cursor);
    const s = q.toString();
    return apiCall<ChatPage>(`/api/v1/conversations${s ? `?${s}` : ""}`);
  },
  getChat: (id: string) => apiCall<Chat>(`/api/v1/conversations/${id}`),
  messages: (id: string, cursor?: string) =>
    apiCall<ChatTranscript>(`/api/v1/conversations/${id}/messages${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`),
  markRead: (id: string) => apiCall<Chat>(`/api/v1/conversations/${id}/read`, json("POST")),
  assign: (id: string, assignedUserId: string | null) => apiCall<Chat>(`/api/v1/conversations/${id}`, json("PATCH", { assignedUserId })),
  send: (id: string, body: SendBody, idempotencyKey: string) =>
    apiCall<{ message: ChatMessage }>(`/api/v1/conversations/${id}/messages`, json("POST", body, { "idempotency-key": idempotencyKey })),
  retry: (messageId: string) => apiCall<unknown>(`/api/v1/messages/${messageId}/retry`, json("POST")),
  quickReplies: () => apiCall<{ rows: QuickReply[] } | QuickReply[]>(`/api/v1/quick-replies`).then((r) => (Array.isArray(r) ? r : r.rows)),
  /** The chat's number's approved templates (any member may read them for a chat: GET /api/v1/conversations/{id}/templates) */
  templates: (chatId: string) => apiCall<{ templates: MetaTemplate[] }>(`/api/v1/conversations/${chatId}/templates`).then((r) => r.templates),
};
