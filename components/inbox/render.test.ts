// The chat view's parts rendered on the server as a browser would first see them: message bubbles (safe
// text and links, media, locations, status ticks and a failure with Retry) and the composer for each kind of chat.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement, type ReactElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Chat, ChatMessage } from "./api";
import { Composer } from "./composer";
import { MessageBubble } from "./message-bubble";
import { InboxUnreadBadge, UNREAD_COUNT_KEY } from "./unread-badge";

const render = (el: ReactElement) => renderToString(createElement(QueryClientProvider, { client: new QueryClient() }, el));

const base: ChatMessage = {
  id: "6c1e2f3a-4b5d-4e6f-8a7b-9c0d1e2f3a4b",
  conversationId: null,
  direction: "inbound",
  type: "text",
  text: null,
  status: "received",
  at: "2026-12-07T10:00:00.000Z",
  sentAt: null,
  deliveredAt: null,
  readAt: null,
  failedAt: null,
  error: null,
  media: null,
  location: null,
  contacts: null,
  reply: null,
  reactions: [],
  context: null,
  sentBy: null,
  drip: null,
};

const chat = (over: Partial<Chat> & { provider?: Chat["number"]["provider"] }): Chat => ({
  id: "7c1e2f3a-4b5d-4e6f-8a7b-9c0d1e2f3a4b",
  latestConversationId: null,
  subscriber: { id: "8c1e2f3a-4b5d-4e6f-8a7b-9c0d1e2f3a4b", name: "Ana", phone: "+77011234567" },
  number: { id: "9c1e2f3a-4b5d-4e6f-8a7b-9c0d1e2f3a4b", label: "Sales", provider: over.provider ?? "cloud" },
  lastMessage: null,
  lastInboundAt: null,
  unreadCount: 0,
  windowExpiresAt: null,
  windowOpen: false,
  assignee: null,
  assignedAt: null,
  ad: null,
  demo: false,
  ...over,
});

describe("MessageBubble", () => {
  it("renders text as text: markup is escaped, links open safely in a new tab", () => {
    const html = renderToString(createElement(MessageBubble, { message: { ...base, text: `<script>alert(1)</script> see https://shop.example/x` } }));
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain('href="https://shop.example/x"');
    expect(html).toContain('rel="noopener noreferrer"');
    expect(html).toContain('data-testid="message-bubble"');
  });

  it("shows an image lazily through the media URL, a document as a download card, a location with its map link", () => {
    const url = `/api/v1/messages/${base.id}/media`;
    const image = renderToString(
      createElement(MessageBubble, {
        message: { ...base, type: "image", text: "Look", media: { url, mimeType: "image/jpeg", filename: null, caption: "Look" } },
      }),
    );
    expect(image).toContain(`src="${url}"`);
    expect(image).toContain('loading="lazy"');
    expect(image.match(/Look/g)?.length).toBeGreaterThanOrEqual(1);
    const doc = renderToString(
      createElement(MessageBubble, {
        message: { ...base, type: "document", media: { url, mimeType: "application/pdf", filename: "price.pdf", caption: null } },
      }),
    );
    expect(doc).toContain("price.pdf");
    expect(doc).toContain('download="price.pdf"');
    const where = renderToString(
      createElement(MessageBubble, { message: { ...base, type: "location", location: { latitude: 43.25, longitude: 76.95, name: "Office", address: null } } }),
    );
    expect(where).toContain("https://www.openstreetmap.org/?mlat=43.25&amp;mlon=76.95");
    expect(where).toContain("43.25000, 76.95000");
  });

  it("marks outbound status and shows a failure's reason with Retry", () => {
    const read = renderToString(createElement(MessageBubble, { message: { ...base, direction: "outbound", status: "read", text: "Hi" } }));
    expect(read).toContain('aria-label="Read"');
    const failed = renderToString(
      createElement(MessageBubble, {
        message: {
          ...base,
          direction: "outbound",
          status: "failed",
          text: "Hi",
          error: { code: "131047", title: "Re-engagement message", detail: "More than 24 hours" },
        },
        onRetry: () => undefined,
      }),
    );
    expect(failed).toContain("Re-engagement message");
    expect(failed).toContain("More than 24 hours");
    expect(failed).toContain("Retry");
  });

  it("shows the quoted message and reactions", () => {
    const html = renderToString(
      createElement(MessageBubble, {
        message: {
          ...base,
          text: "Yes",
          context: { messageId: null, preview: "Do you want it?" },
          reactions: [{ emoji: "👍", from: "outbound", at: base.at }],
        },
      }),
    );
    expect(html).toContain("Do you want it?");
    expect(html).toContain("👍");
  });
});

describe("Composer", () => {
  const onSend = async () => true;

  it("offers free text inside the window, with the quick replies and the count", () => {
    const html = render(createElement(Composer, { chat: chat({ windowOpen: true }), onSend }));
    expect(html).toContain('id="composer-text"');
    expect(html).toContain("0 / 4,096");
    expect(html).toContain("Quick replies");
    expect(html).toContain('data-testid="composer"');
  });

  it("explains the 24-hour rule and offers a template when a Cloud API number's window is closed", () => {
    const html = render(createElement(Composer, { chat: chat({ windowOpen: false }), onSend }));
    expect(html).not.toContain('id="composer-text"');
    expect(html).toContain("24-hour window is closed");
  });

  it("always offers free text on a Green API number, and none on demo or Gupshup chats", () => {
    expect(render(createElement(Composer, { chat: chat({ provider: "green", windowOpen: false }), onSend }))).toContain('id="composer-text"');
    expect(render(createElement(Composer, { chat: chat({ demo: true, windowOpen: true }), onSend }))).toContain("demo chat");
    expect(render(createElement(Composer, { chat: chat({ provider: "gupshup", windowOpen: true }), onSend }))).toContain("Gupshup");
  });
});

describe("InboxUnreadBadge", () => {
  it("shows the count of chats with unread messages, and nothing without", () => {
    const client = new QueryClient();
    client.setQueryData([UNREAD_COUNT_KEY], "99+");
    const html = renderToString(createElement(QueryClientProvider, { client }, createElement(InboxUnreadBadge)));
    expect(html).toContain("99+");
    expect(html).toContain("chats with unread messages");
    const none = new QueryClient();
    none.setQueryData([UNREAD_COUNT_KEY], null);
    expect(renderToString(createElement(QueryClientProvider, { client: none }, createElement(InboxUnreadBadge)))).toBe("");
  });
});
