import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseGreenWebhook } from "@/lib/green/parse";
import { parseGupshupWebhook } from "@/lib/gupshup/parse";
import { fixtureDir, fixtureJson, fixtureNames, fixtureText } from "@/test/fixtures/webhooks";
import { type ChangeEvent, type InboundMessage, type ParsedWebhook, type StatusUpdate, type WebhookItem, messagePreview, toDate } from "./normalised";
import { extractPhoneNumberIds, parseMetaWebhook } from "./parse";

const receivedAt = new Date("2030-01-02T03:04:05.000Z");
const WABA = "310000000000001";
const PNID = "320000000000001";

// A bare `value`, as some providers' docs publish a payload: wrap it the way Meta delivers it.
function wrapValue(value: unknown): unknown {
  return { object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value }] }] };
}

const FRAGMENTS = new Set(["meta-referral-ad-fragment.json"]);

/** Any fixture through the parser its provider's route uses (fragments wrapped first). */
function parseFixture(name: string): ParsedWebhook {
  const json = FRAGMENTS.has(name) ? wrapValue(fixtureJson(name)) : fixtureJson(name);
  if (name.startsWith("green-")) return parseGreenWebhook(json, { receivedAt });
  return name.startsWith("gupshup-") ? parseGupshupWebhook(json, { receivedAt }) : parseMetaWebhook(json, { receivedAt });
}

function items(name: string): WebhookItem[] {
  return parseMetaWebhook(fixtureJson(name), { receivedAt }).items;
}

function only<K extends WebhookItem["kind"]>(list: WebhookItem[], kind: K): Extract<WebhookItem, { kind: K }> {
  expect(list).toHaveLength(1);
  const [item] = list;
  expect(item?.kind).toBe(kind);
  return item as Extract<WebhookItem, { kind: K }>;
}

function message(name: string): InboundMessage {
  return only(items(name), "message");
}

function messageFromText(text: string, options: { receivedAt?: Date } = { receivedAt }): InboundMessage {
  return only(parseMetaWebhook(JSON.parse(text), options).items, "message");
}

function status(name: string): StatusUpdate {
  return only(items(name), "status");
}

function change(name: string): ChangeEvent {
  const [item] = items(name);
  if (!item || item.kind === "message" || item.kind === "status") throw new Error(`${name}: expected a change event`);
  return item;
}

const seconds = (s: number) => new Date(s * 1000);

describe("webhook fixtures", () => {
  const names = fixtureNames();

  it("documents every fixture in the README, and only fixtures that exist", () => {
    const readme = readFileSync(path.join(fixtureDir, "README.md"), "utf8");
    const documented = [...readme.matchAll(/^\|\s*`([^`]+\.json)`\s*\|/gm)].map((m) => m[1]).sort();
    expect(names.length).toBeGreaterThanOrEqual(78);
    expect(documented).toEqual(names);
  });

  it.each(names)("keeps %s pretty-printed with a two-space indent", (name) => {
    const text = fixtureText(name);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });

  it.each(names)("parses %s into at least one handled item", (name) => {
    const parsed = parseFixture(name);
    expect(parsed.items.length).toBeGreaterThan(0);
    expect(parsed.items.filter((i) => i.kind === "ignored")).toEqual([]);
  });

  it("rejects the bare value fragment until it is wrapped", () => {
    expect(() => parseMetaWebhook(fixtureJson("meta-referral-ad-fragment.json"))).toThrow(/not a WhatsApp Business Account webhook: no entry\[\] array/);
  });
});

describe("parseMetaWebhook: inbound messages", () => {
  it("reads a text message with its routing, contact and time", () => {
    const m = message("meta-text.json");
    expect(m).toMatchObject({
      phoneNumberId: PNID,
      displayPhoneNumber: "15550100001",
      wabaId: WABA,
      wamid: "wamid.CT-TEXT-0001",
      from: "15550142001",
      fromUserId: null,
      type: "text",
      textPreview: "Hi! Do you ship to Lisbon?",
      referral: null,
      context: null,
      media: null,
      errors: [],
    });
    expect(m.timestamp).toEqual(seconds(1767607260));
    expect(m.contact).toEqual({ waId: "15550142001", userId: null, parentUserId: null, username: null, profileName: "Mara Quinn" });
    expect(m.payload).toMatchObject({ text: { body: "Hi! Do you ship to Lisbon?" } });
  });

  it("reads business-scoped user ids, username and from_user_id", () => {
    const m = message("meta-text-bsuid.json");
    expect(m.fromUserId).toBe("US.70000000000000000005");
    expect(m.contact).toEqual({
      waId: "15550142005",
      userId: "US.70000000000000000005",
      parentUserId: "US.ENT.70000000000000000050",
      username: "@priya_ct",
      profileName: "Priya Raman",
    });
  });

  it("keeps non-ASCII text and profile names", () => {
    expect(message("meta-text-stop-ru.json")).toMatchObject({ textPreview: "СТОП", contact: { waId: "15550142002", profileName: "Аня Соколова" } });
  });

  it("reads reply, forward and referred-product context", () => {
    expect(message("meta-text-reply.json").context).toEqual({
      id: "wamid.CT-OUT-0001",
      from: "15550100001",
      forwarded: false,
      frequentlyForwarded: false,
      referredProduct: null,
    });
    expect(message("meta-text-forwarded.json").context).toEqual({ id: null, from: null, forwarded: true, frequentlyForwarded: false, referredProduct: null });
    expect(message("meta-text-frequently-forwarded.json").context).toMatchObject({ id: null, forwarded: false, frequentlyForwarded: true });
    const product = message("meta-text-referred-product.json").context;
    expect(product).toMatchObject({ id: "wamid.CT-OUT-0007", referredProduct: { catalogId: "830000000000001", productRetailerId: "ct-sku-0042" } });
  });

  it("reads image, video, document, audio and sticker media", () => {
    const image = message("meta-image.json");
    expect(image.media).toEqual({
      id: "900000000000001",
      url: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=900000000000001&ext=1767608000&hash=ct-fixture-0001",
      mimeType: "image/jpeg",
      caption: "My payment receipt",
      filename: null,
      voice: null,
      animated: null,
    });
    expect(image.textPreview).toBe("📷 Image: My payment receipt");
    expect(message("meta-image-no-caption.json")).toMatchObject({
      textPreview: "📷 Image",
      media: { id: "900000000000002", mimeType: "image/png", caption: null, url: null },
    });
    const video = message("meta-video.json");
    expect(video).toMatchObject({
      textPreview: "🎥 Video: Unboxing the starter kit",
      media: { id: "900000000000005", mimeType: "video/mp4", caption: "Unboxing the starter kit" },
    });
    const document = message("meta-document.json");
    expect(document.media).toMatchObject({ id: "900000000000006", mimeType: "application/pdf", caption: "Signed contract", filename: "contract-ct-0042.pdf" });
    expect(document.textPreview).toBe("📄 Document: Signed contract (contract-ct-0042.pdf)");
    expect(message("meta-audio-voice.json")).toMatchObject({
      textPreview: "🎤 Voice message",
      media: { id: "900000000000003", mimeType: "audio/ogg; codecs=opus", voice: true },
    });
    expect(message("meta-audio-file.json")).toMatchObject({
      textPreview: "🎵 Audio",
      media: { id: "900000000000004", mimeType: "audio/mpeg", voice: false },
      context: { forwarded: true },
    });
    expect(message("meta-sticker.json")).toMatchObject({
      textPreview: "🏷️ Sticker (animated)",
      media: { id: "900000000000007", mimeType: "image/webp", animated: true },
    });
  });

  it("summarises locations with and without a place name", () => {
    expect(message("meta-location-place.json").textPreview).toBe("📍 Location: Clicktrail Sailing Club, Rua Augusta 100, Lisboa (38.7107, -9.1373)");
    expect(message("meta-location-pin.json").textPreview).toBe("📍 Location: (52.5163, 13.3777)");
  });

  it("summarises shared contact cards and still takes the sender from value.contacts", () => {
    const card = message("meta-contacts.json");
    expect(card).toMatchObject({ textPreview: "👤 Contact: Ivo Lindqvist", contact: { waId: "15550142001", profileName: "Mara Quinn" } });
    expect(card.payload).toMatchObject({ contacts: [{ phones: [{ phone: "+1 555-014-2007", wa_id: "15550142007" }] }] });
    expect(message("meta-contacts-several.json").textPreview).toBe("👤 Contacts: Ivo Lindqvist, Олег Петров, Sam Rivera");
  });

  it("reads interactive button and list replies with the context they answer", () => {
    const button = message("meta-interactive-button-reply.json");
    expect(button).toMatchObject({ type: "interactive", textPreview: "🔘 Tuesday 10:00" });
    expect(button.context?.id).toBe("wamid.CT-OUT-0008");
    expect(button.payload).toMatchObject({ interactive: { type: "button_reply", button_reply: { id: "slot-tue-1000" } } });
    const list = message("meta-interactive-list-reply.json");
    expect(list.textPreview).toBe("📋 Beginner course — 8 weekends, starts in January");
    expect(list.context?.id).toBe("wamid.CT-OUT-0009");
    expect(list.payload).toMatchObject({ interactive: { list_reply: { id: "course-beginner" } } });
    expect(message("meta-interactive-list-reply-no-description.json").textPreview).toBe("📋 Advanced course");
  });

  it("reads template quick-reply button taps", () => {
    const m = message("meta-button.json");
    expect(m).toMatchObject({ type: "button", textPreview: "🔘 Unsubscribe", payload: { button: { payload: "unsubscribe-drip" } } });
    expect(m.context?.id).toBe("wamid.CT-OUT-0010");
  });

  it("reads reactions and both forms of reaction removal", () => {
    expect(message("meta-reaction.json")).toMatchObject({ textPreview: "🔥 reacted to a message", reaction: { messageId: "wamid.CT-OUT-0001", emoji: "🔥" } });
    expect(message("meta-reaction-removed.json")).toMatchObject({ textPreview: "Reaction removed", reaction: { messageId: "wamid.CT-OUT-0001", emoji: null } });
    const absent = message("meta-reaction-removed-no-emoji.json");
    expect(absent.textPreview).toBe("Reaction removed");
    expect(absent.reaction).toEqual({ messageId: "wamid.CT-OUT-0001", emoji: null });
  });

  it("summarises orders", () => {
    expect(message("meta-order.json").textPreview).toBe("🛒 Order: 2 items (ct-sku-0042 ×2, ct-sku-0077 ×1) — Two of the blue ones, please");
    expect(message("meta-order-empty-text.json").textPreview).toBe("🛒 Order: 3 items (ct-sku-0101 ×3, ct-sku-0102 ×1, ct-sku-0103 ×2)");
  });

  it("reads a number change, which carries no contacts", () => {
    const m = message("meta-system-user-changed-number.json");
    expect(m).toMatchObject({
      type: "system",
      wamid: "wamid.CT-SYSTEM-0001",
      from: "15550142001",
      contact: null,
      textPreview: "User changed number to +15550142009",
    });
    expect(m.system).toMatchObject({ type: "user_changed_number", newWaId: "15550142009", body: "User Mara Quinn changed from 15550142001 to 15550142009" });
  });

  it("keeps unsupported messages with their errors", () => {
    const m = message("meta-unsupported.json");
    expect(m.textPreview).toBe("Unsupported message: poll (131051 Message type unknown)");
    expect(m.errors).toEqual([
      { code: 131051, title: "Message type unknown", message: "Message type unknown", details: "Polls are not supported by the Cloud API." },
    ]);
    const bare = message("meta-unsupported-no-type.json");
    expect(bare.textPreview).toBe("Unsupported message (131060 Message currently unavailable)");
    expect(bare.errors).toEqual([{ code: 131060, title: "Message currently unavailable", message: null, details: null }]);
  });

  it("reads request_welcome, which has no payload key", () => {
    const m = message("meta-request-welcome.json");
    expect(m).toMatchObject({ type: "request_welcome", wamid: "wamid.CT-WELCOME-0001", textPreview: "👋 Opened the chat (welcome request)", media: null });
    expect(m.contact).toMatchObject({ waId: "15550142003", profileName: "Jonas Weber" });
    expect(m.timestamp).toEqual(seconds(1767609060));
  });

  it("falls back to receivedAt for an unreadable timestamp", () => {
    const m = messageFromText(fixtureText("meta-request-welcome.json", { '"1767609060"': '"<TIMESTAMP>"' }));
    expect(m.timestamp).toEqual(receivedAt);
  });

  it("takes a lone contact as the sender even when its wa_id differs from `from`", () => {
    const m = messageFromText(fixtureText("meta-request-welcome.json", { '"wa_id": "15550142003"': '"wa_id": "15550142033"' }));
    expect(m).toMatchObject({ from: "15550142003", contact: { waId: "15550142033", profileName: "Jonas Weber" } });
  });

  it("defaults receivedAt to now when none is given", () => {
    const before = Date.now();
    const m = messageFromText(fixtureText("meta-request-welcome.json", { '"1767609060"': '"<TIMESTAMP>"' }), {});
    expect(m.timestamp.getTime()).toBeGreaterThanOrEqual(before);
  });
});

describe("parseMetaWebhook: Click-to-WhatsApp referrals", () => {
  it("reads an ad referral with ctwa_clid and welcome message", () => {
    const m = message("meta-referral-ad.json");
    expect(m.textPreview).toBe("Hi! I saw your ad — is the January course still open?");
    expect(m.referral).toMatchObject({
      sourceType: "ad",
      sourceId: "120210000000000101",
      sourceUrl: "https://fb.me/ct1Ad0001",
      headline: "Sail this winter",
      body: "Learn to sail in 8 weekends. Seats for January are open.",
      mediaType: "image",
      imageUrl: "https://scontent.xx.fbcdn.net/v/t45.1600-4/ct-fixture-ad-0001.jpg",
      videoUrl: null,
      thumbnailUrl: null,
      ctwaClid: "ARAkLmOcT9xQbW2vZr7uYs4nHd1pKe8fJg3tLc6mVa0iBo5wNyEq-Ct_Ad0001zRk",
      welcomeText: "Hi! Ask us anything about the sailing course.",
    });
    expect(m.referral?.raw).toMatchObject({ source_id: "120210000000000101" });
  });

  it("reads a referral from a bare value fragment once it is wrapped", () => {
    const [m] = parseMetaWebhook(wrapValue(fixtureJson("meta-referral-ad-fragment.json")), { receivedAt }).items;
    expect(m).toMatchObject({
      kind: "message",
      wamid: "wamid.CT-REFERRAL-0002",
      from: "15550142002",
      phoneNumberId: null,
      contact: { waId: "15550142002", profileName: "Аня Соколова" },
      referral: { sourceId: "120210000000000202", headline: "Парусный курс", ctwaClid: "ARAkLmOcV3nHq8sWd1xTb6yPm0rJf4uLk9gZc2eNa7iYo5tQw-Ct_Ad0002hUs" },
    });
  });

  it("reads a referral without ctwa_clid, with video fields and an integer timestamp", () => {
    const m = message("meta-referral-no-ctwa-clid.json");
    expect(m).toMatchObject({ type: "button", textPreview: "🔘 No, thanks" });
    expect(m.referral).toMatchObject({
      ctwaClid: null,
      sourceType: "ad",
      sourceId: "120210000000000303",
      mediaType: "video",
      imageUrl: null,
      videoUrl: "https://video.xx.fbcdn.net/v/t42.1790-2/ct-fixture-ad-0003.mp4",
      thumbnailUrl: "https://scontent.xx.fbcdn.net/v/t15.5256-10/ct-fixture-ad-0003-thumb.jpg",
    });
    expect(m.timestamp).toEqual(seconds(1767609240));
    expect(m.context).toEqual({
      id: "wamid.CT-OUT-0011",
      from: "15550100001",
      forwarded: true,
      frequentlyForwarded: true,
      referredProduct: { catalogId: "830000000000001", productRetailerId: "ct-sku-0042" },
    });
  });
});

describe("parseMetaWebhook: statuses", () => {
  const conversationId = "4f6d2b8a0c1e3f5a7b9d1c3e5f7a9b01";
  const pmpMarketing = { billable: true, model: "PMP", category: "marketing", type: "regular" };

  it("reads sent with conversation expiry, PMP pricing and the callback data", () => {
    const s = status("meta-status-sent.json");
    expect(s).toMatchObject({
      phoneNumberId: PNID,
      wabaId: WABA,
      wamid: "wamid.CT-OUT-0001",
      matchIds: ["wamid.CT-OUT-0001"],
      providerMessageId: null,
      status: "sent",
      recipientId: "15550142001",
      recipientUserId: null,
      pricing: pmpMarketing,
      errors: [],
      bizOpaqueCallbackData: "drip:ct-0001",
    });
    expect(s.timestamp).toEqual(seconds(1767609300));
    expect(s.conversation).toEqual({ id: conversationId, originType: "marketing", expiresAt: seconds(1767695700) });
  });

  it("reads delivered and read of the same message, with conversation and pricing", () => {
    const delivered = status("meta-status-delivered.json");
    expect(delivered).toMatchObject({ wamid: "wamid.CT-OUT-0001", status: "delivered", pricing: pmpMarketing, bizOpaqueCallbackData: null });
    expect(delivered.timestamp).toEqual(seconds(1767609305));
    expect(delivered.conversation).toEqual({ id: conversationId, originType: "marketing", expiresAt: null });
    const read = status("meta-status-read.json");
    expect(read).toMatchObject({ wamid: "wamid.CT-OUT-0001", status: "read", recipientId: "15550142001", conversation: { id: conversationId } });
    expect(read.timestamp).toEqual(seconds(1767609365));
  });

  it("reads CBP pricing without a pricing type", () => {
    expect(status("meta-status-sent-cbp.json")).toMatchObject({
      wamid: "wamid.CT-OUT-0005",
      recipientId: "15550142002",
      conversation: { id: "4f6d2b8a0c1e3f5a7b9d1c3e5f7a9b05", originType: "service" },
      pricing: { billable: true, model: "CBP", category: "service", type: null },
    });
  });

  it("reads BSUID recipients, with and without conversation and pricing (v24)", () => {
    expect(status("meta-status-sent-bsuid.json")).toMatchObject({
      status: "sent",
      recipientId: "15550142005",
      recipientUserId: "US.70000000000000000005",
      pricing: { model: "PMP", category: "utility", type: "regular" },
    });
    const v24 = status("meta-status-read-v24.json");
    expect(v24).toMatchObject({ wamid: "wamid.CT-OUT-0004", status: "read", recipientUserId: "US.70000000000000000005", conversation: null, pricing: null });
  });

  it("reads failed statuses with code, title, message and details", () => {
    const failed = status("meta-status-failed.json");
    expect(failed).toMatchObject({ wamid: "wamid.CT-OUT-0002", status: "failed", recipientId: "15550142002", conversation: null, pricing: null });
    expect(failed.errors).toEqual([
      {
        code: 131047,
        title: "Re-engagement message",
        message: "Re-engagement message",
        details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
      },
    ]);
    expect(status("meta-status-failed-minimal.json").errors).toEqual([{ code: 131026, title: "Message undeliverable", message: null, details: null }]);
  });

  it("reads value-level errors", () => {
    expect(only(items("meta-value-errors.json"), "value_errors")).toEqual({
      kind: "value_errors",
      phoneNumberId: PNID,
      errors: [
        {
          code: 130429,
          title: "Rate limit hit",
          message: "(#130429) Rate limit hit",
          details: "Cloud API message throughput for this phone number has been reached.",
        },
      ],
    });
  });
});

describe("parseMetaWebhook: batches", () => {
  it("reads every change of an entry", () => {
    const list = items("meta-batch-changes.json") as InboundMessage[];
    expect(list.map((i) => [i.kind, i.from, i.textPreview])).toEqual([
      ["message", "15550142001", "First of two changes"],
      ["message", "15550142003", "Second of two changes"],
    ]);
  });

  it("reads several entries, messages and statuses in one body, each sender with its own contact", () => {
    const parsed = parseMetaWebhook(fixtureJson("meta-batch-entries.json"), { receivedAt });
    expect(parsed.phoneNumberIds).toEqual([PNID, "320000000000002"]);
    expect(parsed.items.map((i) => i.kind)).toEqual(["message", "message", "status", "status", "status", "message"]);
    const messages = parsed.items.filter((i): i is InboundMessage => i.kind === "message");
    expect(messages.map((m) => [m.wamid, m.from, m.contact?.profileName, m.wabaId, m.phoneNumberId])).toEqual([
      ["wamid.CT-BATCH-0003", "15550142001", "Mara Quinn", WABA, PNID],
      ["wamid.CT-BATCH-0004", "15550142002", "Аня Соколова", WABA, PNID],
      ["wamid.CT-BATCH-0005", "15550142003", "Jonas Weber", "310000000000002", "320000000000002"],
    ]);
    const statuses = parsed.items.filter((i): i is StatusUpdate => i.kind === "status");
    expect(statuses.map((s) => [s.wamid, s.status, s.recipientId])).toEqual([
      ["wamid.CT-OUT-0012", "sent", "15550142003"],
      ["wamid.CT-OUT-0012", "delivered", "15550142003"],
      ["wamid.CT-OUT-0013", "read", "15550142002"],
    ]);
  });

  it("reads every message of every history thread and tells the business's own messages apart", () => {
    const list = items("meta-history.json") as InboundMessage[];
    expect(list.map((m) => [m.wamid, m.history?.threadId, m.history?.direction, m.history?.status])).toEqual([
      ["wamid.CT-HIST-0001", "15550142001", "outbound", "READ"],
      ["wamid.CT-HIST-0002", "15550142001", "outbound", "PLAYED"],
      ["wamid.CT-HIST-0003", "15550142001", "inbound", "READ"],
      ["wamid.CT-HIST-0004", "15550142003", "outbound", "DELIVERED"],
    ]);
    expect(list[1]?.type).toBe("media_placeholder");
    expect(list[2]?.textPreview).toBe("Спасибо!");
  });

  it("reads entries of different fixtures combined into one body", () => {
    const entries = (name: string) => fixtureJson<{ entry: unknown[] }>(name).entry;
    const body = {
      object: "whatsapp_business_account",
      entry: [...entries("meta-text.json"), ...entries("meta-status-sent.json"), ...entries("meta-phone-number-quality-update.json")],
    };
    expect(parseMetaWebhook(body, { receivedAt }).items.map((i) => i.kind)).toEqual(["message", "status", "number_quality"]);
  });
});

describe("parseMetaWebhook: account-level fields", () => {
  it("reads template status updates (integer template id → string)", () => {
    expect(change("meta-template-status-approved.json")).toMatchObject({
      kind: "template_status",
      wabaId: WABA,
      templateId: "1500000000000001",
      name: "drip_day_1",
      language: "en_US",
      event: "APPROVED",
      reason: "NONE",
    });
    expect(change("meta-template-status-rejected.json")).toMatchObject({
      templateId: "1500000000000002",
      language: "ru",
      event: "REJECTED",
      reason: "INVALID_FORMAT",
      raw: { rejection_info: { recommendation: "Put a word or punctuation between the variables." } },
    });
  });

  it("reads template category and quality updates", () => {
    expect(change("meta-template-category-update.json")).toMatchObject({
      kind: "template_category",
      templateId: "1500000000000001",
      raw: { previous_category: "UTILITY", new_category: "MARKETING" },
    });
    expect(change("meta-template-quality-update.json")).toMatchObject({
      kind: "template_quality",
      name: "drip_day_1",
      raw: { previous_quality_score: "GREEN", new_quality_score: "YELLOW" },
    });
  });

  it("reads phone number quality and account updates", () => {
    expect(change("meta-phone-number-quality-update.json")).toMatchObject({
      kind: "number_quality",
      wabaId: WABA,
      displayPhoneNumber: "15550100001",
      event: "THROUGHPUT_UPGRADE",
      currentLimit: "TIER_10K",
    });
    expect(change("meta-account-update-violation.json")).toMatchObject({
      kind: "account_update",
      wabaId: WABA,
      event: "ACCOUNT_VIOLATION",
      raw: { violation_info: { violation_type: "SCAM" } },
    });
    expect(change("meta-account-update-disabled.json")).toMatchObject({
      event: "DISABLED_UPDATE",
      raw: { ban_info: { waba_ban_state: "REINSTATE", waba_ban_date: "January 20, 2026" } },
    });
    expect(change("meta-account-update-restriction.json")).toMatchObject({
      event: "ACCOUNT_RESTRICTION",
      raw: { restriction_info: [{ restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING" }, { restriction_type: "RESTRICTED_CUSTOMER_INITIATED_MESSAGING" }] },
    });
  });
});

describe("parseMetaWebhook: robustness", () => {
  it.each([null, "text", 42, [], {}, { object: "whatsapp_business_account" }, { entry: "nope" }])("throws on a non-webhook body: %j", (body) => {
    expect(() => parseMetaWebhook(body)).toThrow(/^not a WhatsApp Business Account webhook: /);
  });

  it("throws on another Graph object", () => {
    expect(() => parseMetaWebhook({ object: "page", entry: [] })).toThrow('object is "page"');
  });

  it("turns unknown fields and broken parts into ignored items", () => {
    const body = {
      object: "whatsapp_business_account",
      entry: [
        "garbage",
        { id: "1", changes: [{ field: "automatic_events", value: {} }, 7, { field: "messages", value: "x" }] },
        { id: "2", changes: [{ field: "messages", value: { messages: [{ type: "text" }, null], statuses: [{ status: "sent" }] } }] },
      ],
    };
    expect(parseMetaWebhook(body, { receivedAt }).items).toEqual([
      { kind: "ignored", field: "(entry)", reason: "entry is not an object" },
      { kind: "ignored", field: "automatic_events", reason: "field not handled" },
      { kind: "ignored", field: "(change)", reason: "change is not an object" },
      { kind: "ignored", field: "messages", reason: "value is not an object" },
      { kind: "ignored", field: "messages", reason: "message without an id" },
      { kind: "ignored", field: "messages", reason: "message without an id" },
      { kind: "ignored", field: "messages", reason: "status without an id" },
    ]);
  });

  it("accepts unknown message types and mistyped optional fields", () => {
    const value = { messages: [{ id: "wamid.poll", from: "1555", timestamp: "bad", type: "poll", poll: { q: 1 }, text: 5, context: "x" }] };
    const [m] = parseMetaWebhook(wrapValue(value), { receivedAt }).items;
    expect(m).toMatchObject({ kind: "message", type: "poll", textPreview: "[poll]", context: null, timestamp: receivedAt, payload: { poll: { q: 1 } } });
  });
});

describe("extractPhoneNumberIds", () => {
  it("lists distinct phone number ids across entries and changes", () => {
    expect(extractPhoneNumberIds(fixtureJson("meta-batch-changes.json"))).toEqual([PNID]);
    expect(extractPhoneNumberIds(fixtureJson("meta-batch-entries.json"))).toEqual([PNID, "320000000000002"]);
    const a = fixtureJson<{ entry: unknown[] }>("meta-text.json");
    const b = fixtureJson<{ entry: unknown[] }>("meta-text-gupshup-v3.json");
    expect(extractPhoneNumberIds({ entry: [...a.entry, ...b.entry, ...a.entry] })).toEqual([PNID, "320000000000003"]);
  });

  it("returns nothing for account-level fields and never throws on garbage", () => {
    expect(extractPhoneNumberIds(fixtureJson("meta-account-update-violation.json"))).toEqual([]);
    for (const junk of [undefined, null, "x", 1, [], {}, { entry: {} }, { entry: [null, 1, { changes: "x" }, { changes: [null, { value: 3 }] }] }]) {
      expect(extractPhoneNumberIds(junk)).toEqual([]);
    }
  });
});

describe("toDate", () => {
  it("reads seconds and milliseconds, as numbers or strings", () => {
    expect(toDate("1749416383")).toEqual(seconds(1749416383));
    expect(toDate(1669233778)).toEqual(seconds(1669233778));
    expect(toDate(1710941393420)).toEqual(new Date(1710941393420));
    expect(toDate("1580227766370")).toEqual(new Date(1580227766370));
  });

  it("returns null for placeholders and nonsense", () => {
    for (const v of ["<TIMESTAMP>", "", "12abc", 0, -5, Number.NaN, null, undefined, 1e300]) expect(toDate(v)).toBeNull();
  });

  it("returns null past 9999-12-31, which Postgres cannot store (seconds and milliseconds alike)", () => {
    expect(toDate(253402300799)).toEqual(seconds(253402300799)); // 9999-12-31T23:59:59Z
    for (const v of [253402300800, "253402300800000", 8.64e15]) expect(toDate(v)).toBeNull();
  });
});

describe("messagePreview", () => {
  it("keeps previews to one bounded line", () => {
    const preview = messagePreview({ type: "text", text: { body: `line one\n\nline two ${"x".repeat(600)}` } });
    expect(preview.startsWith("line one line two x")).toBe(true);
    expect(preview).toHaveLength(500);
  });
});
