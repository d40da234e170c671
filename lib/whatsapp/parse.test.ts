import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseGupshupWebhook } from "@/lib/gupshup/parse";
import { type ChangeEvent, type InboundMessage, type StatusUpdate, type WebhookItem, messagePreview, toDate } from "./normalised";
import { extractPhoneNumberIds, parseMetaWebhook } from "./parse";

const corpusDir = path.resolve(__dirname, "../../../shared/corpus/webhooks");
const receivedAt = new Date("2030-01-02T03:04:05.000Z");

function load(file: string): unknown {
  return JSON.parse(readFileSync(path.join(corpusDir, file), "utf8"));
}

// meta-referral-ad-02.json is a bare `value` fragment as published: wrap it the way Meta delivers it.
function wrapValue(value: unknown): unknown {
  return { object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value }] }] };
}

function items(file: string): WebhookItem[] {
  return parseMetaWebhook(load(file), { receivedAt }).items;
}

function only<K extends WebhookItem["kind"]>(list: WebhookItem[], kind: K): Extract<WebhookItem, { kind: K }> {
  expect(list).toHaveLength(1);
  const [item] = list;
  expect(item?.kind).toBe(kind);
  return item as Extract<WebhookItem, { kind: K }>;
}

function message(file: string): InboundMessage {
  return only(items(file), "message");
}

function status(file: string): StatusUpdate {
  return only(items(file), "status");
}

function change(file: string): ChangeEvent {
  const [item] = items(file);
  if (!item || item.kind === "message" || item.kind === "status") throw new Error(`${file}: expected a change event`);
  return item;
}

const seconds = (s: number) => new Date(s * 1000);

describe("webhook corpus", () => {
  const files = readdirSync(corpusDir).filter((f) => f.endsWith(".json")).sort();

  it("holds the 84 manifest files", () => {
    expect(files).toHaveLength(84);
  });

  it.each(files)("parses %s into at least one handled item", (file) => {
    const json = file === "meta-referral-ad-02.json" ? wrapValue(load(file)) : load(file);
    const parsed = file.startsWith("gupshup-") ? parseGupshupWebhook(json, { receivedAt }) : parseMetaWebhook(json, { receivedAt });
    expect(parsed.items.length).toBeGreaterThan(0);
    expect(parsed.items.filter((i) => i.kind === "ignored")).toEqual([]);
  });

  it("rejects the bare value fragment until it is wrapped", () => {
    expect(() => parseMetaWebhook(load("meta-referral-ad-02.json"))).toThrow(/not a WhatsApp Business Account webhook: no entry\[\] array/);
  });
});

describe("parseMetaWebhook: inbound messages", () => {
  it("reads a text message with its routing, contact and time", () => {
    const m = message("meta-text-01.json");
    expect(m).toMatchObject({
      phoneNumberId: "106540352242922",
      displayPhoneNumber: "15550783881",
      wabaId: "102290129340398",
      wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
      from: "16505551234",
      type: "text",
      textPreview: "Does it come in another color?",
      referral: null,
      context: null,
      errors: [],
    });
    expect(m.timestamp).toEqual(seconds(1749416383));
    expect(m.contact).toEqual({ waId: "16505551234", userId: null, parentUserId: null, username: null, profileName: "Sheena Nelson" });
    expect(m.payload).toMatchObject({ text: { body: "Does it come in another color?" } });
  });

  it("reads business-scoped user ids, username and from_user_id", () => {
    const m = message("meta-text-03.json");
    expect(m.fromUserId).toBe("US.13491208655302741918");
    expect(m.contact).toEqual({
      waId: "16315551181",
      userId: "US.13491208655302741918",
      parentUserId: "US.11815799212886844830",
      username: "@testusername",
      profileName: "test user name",
    });
    expect(message("meta-text-02.json").contact?.parentUserId).toBe("US.ENT.11815799212886844830");
  });

  it("reads reply, forward and referred-product context", () => {
    expect(message("meta-text-reply-01.json").context).toMatchObject({ id: "wamid.xyzxyz==", from: "972123456789", forwarded: false });
    expect(message("meta-text-forwarded-01.json").context).toMatchObject({ id: null, forwarded: false, frequentlyForwarded: true });
    expect(message("meta-text-referred-product-01.json").context?.referredProduct).toEqual({ catalogId: "194836987003835", productRetailerId: "di9ozbzfi4" });
  });

  it("reads image, video, document, audio and sticker media", () => {
    const image = message("meta-image-01.json");
    expect(image.media).toMatchObject({ id: "1003383421387256", mimeType: "image/jpeg", caption: "Taj Mahal" });
    expect(image.textPreview).toBe("📷 Image: Taj Mahal");
    expect(message("meta-image-02.json")).toMatchObject({ textPreview: "📷 Image", media: { id: "65463453", caption: null, url: null } });
    expect(message("meta-video-01.json").media).toMatchObject({ id: "731675419373506", mimeType: "video/mp4", caption: "Timelapse of growth" });
    const document = message("meta-document-01.json");
    expect(document.media).toMatchObject({ id: "622684793477189", mimeType: "application/pdf", caption: "my receipt", filename: "receipt.pdf" });
    expect(document.textPreview).toBe("📄 Document: my receipt (receipt.pdf)");
    expect(message("meta-audio-01.json")).toMatchObject({ textPreview: "🎤 Voice message", media: { id: "1908647269898587", mimeType: "audio/ogg; codecs=opus", voice: true } });
    expect(message("meta-audio-02.json")).toMatchObject({ textPreview: "🎵 Audio", media: { voice: false }, context: { forwarded: true } });
    expect(message("meta-sticker-01.json").media).toMatchObject({ id: "1908647269898587", mimeType: "image/webp", animated: true });
  });

  it("summarises locations with and without a place name", () => {
    expect(message("meta-location-01.json").textPreview).toBe("📍 Location: Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 (37.44221496582, -122.16165924072)");
    expect(message("meta-location-02.json").textPreview).toBe("📍 Location: (12.25089, 43.90539)");
  });

  it("summarises shared contact cards", () => {
    const card = message("meta-contacts-01.json");
    expect(card.textPreview).toBe("👤 Contact: Barbara J. Johnson");
    expect(card.payload).toMatchObject({ contacts: [{ phones: [{ phone: "+1 (415) 555-0829", wa_id: "14125550829" }] }] });
    expect(message("meta-contacts-02.json").textPreview).toBe("👤 Contacts: Chandler Bing, Monica, Rachel Green");
  });

  it("reads interactive button and list replies with the context they answer", () => {
    const button = message("meta-interactive-button-reply-01.json");
    expect(button).toMatchObject({ type: "interactive", textPreview: "🔘 Change" });
    expect(button.context?.id).toBe("wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA");
    expect(button.payload).toMatchObject({ interactive: { type: "button_reply", button_reply: { id: "change-button" } } });
    const list = message("meta-interactive-list-reply-01.json");
    expect(list.textPreview).toBe("📋 Priority Mail Express — Next Day to 2 Days");
    expect(list.payload).toMatchObject({ interactive: { list_reply: { id: "priority_express" } } });
    expect(message("meta-interactive-list-reply-02.json").textPreview).toBe("📋 title");
  });

  it("reads template quick-reply button taps", () => {
    const m = message("meta-button-01.json");
    expect(m).toMatchObject({ type: "button", textPreview: "🔘 Unsubscribe", payload: { button: { payload: "Unsubscribe" } } });
    expect(m.context?.id).toBe("wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=");
  });

  it("reads reactions and both forms of reaction removal", () => {
    expect(message("meta-reaction-01.json")).toMatchObject({ textPreview: "😮 reacted to a message", reaction: { messageId: "wamid.yzxyzx=", emoji: "😮" } });
    expect(message("meta-reaction-removed-01.json")).toMatchObject({ textPreview: "Reaction removed", reaction: { messageId: "wamid.yzxyzx=", emoji: null } });
    expect(message("meta-reaction-removed-02.json").reaction).toEqual({
      messageId: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=",
      emoji: null,
    });
  });

  it("summarises orders", () => {
    expect(message("meta-order-01.json").textPreview).toBe("🛒 Order: 2 items (di9ozbzfi4 ×2, nqryix03ez ×1) — Love these!");
    expect(message("meta-order-02.json").textPreview).toBe("🛒 Order: 3 items (HAMBURGER ×3, FRENCH_FRIES ×2, SODA ×2)");
  });

  it("reads a number change, which carries no contacts", () => {
    const m = message("meta-system-user-changed-number-01.json");
    expect(m).toMatchObject({ type: "system", from: "16505551234", contact: null, textPreview: "User changed number to +12195555358" });
    expect(m.system).toEqual({ type: "user_changed_number", newWaId: "12195555358", body: "User Sheena Nelson changed from 16505551234 to 12195555358" });
    expect(message("meta-system-user-changed-number-02.json").system?.newWaId).toBe("972912345678");
  });

  it("keeps unsupported messages with their errors", () => {
    const m = message("meta-unsupported-01.json");
    expect(m.textPreview).toBe("Unsupported message: edit (131051 Message type unknown)");
    expect(m.errors).toEqual([{ code: 131051, title: "Message type unknown", message: "Message type unknown", details: "Message type is currently not supported." }]);
    expect(message("meta-unsupported-02.json").textPreview).toBe("Unsupported message (131051 Message type unknown)");
  });

  it("falls back to receivedAt for a placeholder timestamp (request_welcome)", () => {
    const m = message("meta-request-welcome-01.json");
    expect(m).toMatchObject({ type: "request_welcome", wamid: "<WHATSAPP_MESSAGE_ID>", textPreview: "👋 Opened the chat (welcome request)" });
    expect(m.timestamp).toEqual(receivedAt);
    expect(m.contact?.profileName).toBe("<WHATSAPP_USER_NAME>"); // a lone contact is the sender even when wa_id ≠ from
  });

  it("defaults receivedAt to now when none is given", () => {
    const before = Date.now();
    const [m] = parseMetaWebhook(load("meta-request-welcome-01.json")).items;
    expect(m?.kind === "message" && m.timestamp.getTime()).toBeGreaterThanOrEqual(before);
  });
});

describe("parseMetaWebhook: Click-to-WhatsApp referrals", () => {
  it("reads an ad referral with ctwa_clid and welcome message", () => {
    const m = message("meta-referral-ad-01.json");
    expect(m.referral).toMatchObject({
      sourceType: "ad",
      sourceId: "120226305854810726",
      sourceUrl: "https://fb.me/3cr4Wqqkv",
      headline: "Chat with us",
      body: "Summer Succulents are here!",
      mediaType: "image",
      imageUrl: "https://scontent.xx.fbcdn.net/v/t45.1...",
      videoUrl: null,
      thumbnailUrl: null,
      ctwaClid: "Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4_0NiNhEgpGo0AHemvuSoifXaytfTzcchptiErTKCqTrJ5nW1h7IHYeYymGb5K5J5iTROpBhWAGaIAeUzHL50",
      welcomeText: "Hi there! Let us know how we can help!",
    });
    expect(m.referral?.raw).toMatchObject({ source_id: "120226305854810726" });
  });

  it("reads a real-traffic referral once the value fragment is wrapped", () => {
    const [m] = parseMetaWebhook(wrapValue(load("meta-referral-ad-02.json")), { receivedAt }).items;
    expect(m).toMatchObject({
      kind: "message",
      from: "918871601297",
      phoneNumberId: null,
      contact: { waId: "918871601297", profileName: "Niiiishh" },
      referral: { sourceId: "6570618339781", ctwaClid: "ARAHuTtGzmFlOO_WcXezfYBRzrxoH2Emo4kj-mXVvHoMQVU748gp6Sp-IKS2_scLmfnBJSWvvsZpVqjJfMQPM6TJy1_dNFC1ZUztlDk4i1RijetS" },
    });
  });

  it("reads a referral without ctwa_clid, with video fields and an integer timestamp", () => {
    const m = message("meta-referral-no-ctwa-clid-01.json");
    expect(m.referral).toMatchObject({ ctwaClid: null, sourceType: "ad or post", sourceId: "ADID", videoUrl: "RAW_VIDEO_URL", thumbnailUrl: "RAW_THUMBNAIL_URL" });
    expect(m.timestamp).toEqual(seconds(1669233778));
    expect(m.context).toMatchObject({ forwarded: true, frequentlyForwarded: true, referredProduct: { catalogId: "CATALOG_ID" } });
  });
});

describe("parseMetaWebhook: statuses", () => {
  it("reads sent with conversation expiry and PMP pricing", () => {
    const s = status("meta-status-sent-01.json");
    expect(s).toMatchObject({
      wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
      matchIds: ["wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="],
      providerMessageId: null,
      status: "sent",
      recipientId: "16505551234",
      pricing: { billable: true, model: "PMP", category: "marketing", type: "regular" },
      errors: [],
    });
    expect(s.timestamp).toEqual(seconds(1750030073));
    expect(s.conversation).toEqual({ id: "72b14d6bd5407799e66f64d1b338e567", originType: "marketing", expiresAt: seconds(1750116480) });
  });

  it("reads delivered and read with CBP pricing and BSUID recipients", () => {
    expect(status("meta-status-delivered-01.json")).toMatchObject({
      status: "delivered",
      conversation: { id: "7270432eae37498234f4444b35ffc5", originType: "service", expiresAt: null },
      pricing: { billable: true, model: "CBP", category: "service", type: null },
    });
    expect(status("meta-status-read-01.json")).toMatchObject({ status: "read", recipientId: "919096053970" });
    const v24 = status("meta-status-read-03.json");
    expect(v24).toMatchObject({ recipientUserId: "US.13491208655302741918", conversation: null, pricing: null });
  });

  it("reads failed statuses with code, title, message and details", () => {
    expect(status("meta-status-failed-01.json").errors).toEqual([
      {
        code: 131049,
        title: "This message was not delivered to maintain healthy ecosystem engagement.",
        message: "This message was not delivered to maintain healthy ecosystem engagement.",
        details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
      },
    ]);
    expect(status("meta-status-failed-02.json").errors[0]).toMatchObject({ code: 130472, title: "User's number is part of an experiment" });
    expect(status("meta-status-failed-03.json").errors).toEqual([{ code: 131053, title: "ERROR_TITLE", message: null, details: null }]);
  });

  it("reads value-level errors", () => {
    expect(only(items("meta-value-errors-01.json"), "value_errors")).toEqual({
      kind: "value_errors",
      phoneNumberId: "106540352242922",
      errors: [
        {
          code: 130429,
          title: "Rate limit hit",
          message: "Rate limit hit",
          details: "Message failed to send because there were too many messages sent from this phone number in a short period of time",
        },
      ],
    });
  });
});

describe("parseMetaWebhook: batches", () => {
  it("reads every change of an entry", () => {
    const list = items("meta-batch-changes-01.json");
    expect(list.map((i) => i.kind === "message" && i.textPreview)).toEqual(["MESSAGE_BODY", "MESSAGE_BODY2"]);
  });

  it("reads every message of every history thread and tells the business's own messages apart", () => {
    const list = items("meta-batch-history-01.json") as InboundMessage[];
    expect(list.map((m) => [m.wamid.slice(0, 12), m.history?.threadId, m.history?.direction, m.history?.status])).toEqual([
      ["wamid.HBgLMT", "16505551234", "outbound", "READ"],
      ["wamid.QyNUEH", "16505551234", "outbound", "PLAYED"],
      ["wamid.N0FCNj", "16505551234", "inbound", "READ"],
      ["wamid.BIyNDl", "12125557890", "outbound", "DELIVERED"],
    ]);
    expect(list[1]?.type).toBe("media_placeholder");
  });

  it("reads several entries, messages and statuses in one body", () => {
    const text = load("meta-text-01.json") as { entry: unknown[] };
    const sent = load("meta-status-sent-01.json") as { entry: unknown[] };
    const quality = load("meta-phone-number-quality-update-01.json") as { entry: unknown[] };
    const body = { object: "whatsapp_business_account", entry: [...text.entry, ...sent.entry, ...quality.entry] };
    expect(parseMetaWebhook(body, { receivedAt }).items.map((i) => i.kind)).toEqual(["message", "status", "number_quality"]);
  });
});

describe("parseMetaWebhook: account-level fields", () => {
  it("reads template status updates (integer template id → string)", () => {
    expect(change("meta-template-status-approved-01.json")).toMatchObject({
      kind: "template_status",
      wabaId: "102290129340398",
      templateId: "1689556908129832",
      name: "order_confirmation",
      language: "en_US",
      event: "APPROVED",
      reason: "NONE",
    });
    expect(change("meta-template-status-rejected-01.json")).toMatchObject({ event: "REJECTED", reason: "INVALID_FORMAT", raw: { rejection_info: {} } });
  });

  it("reads template category and quality updates", () => {
    expect(change("meta-template-category-update-01.json")).toMatchObject({
      kind: "template_category",
      templateId: "278077987957091",
      raw: { previous_category: "UTILITY", new_category: "MARKETING" },
    });
    expect(change("meta-template-quality-update-01.json")).toMatchObject({
      kind: "template_quality",
      name: "welcome_template",
      raw: { previous_quality_score: "GREEN", new_quality_score: "YELLOW" },
    });
  });

  it("reads phone number quality and account updates", () => {
    expect(change("meta-phone-number-quality-update-01.json")).toMatchObject({
      kind: "number_quality",
      displayPhoneNumber: "15550783881",
      event: "THROUGHPUT_UPGRADE",
      currentLimit: "TIER_UNLIMITED",
    });
    expect(change("meta-account-update-violation-01.json")).toMatchObject({ kind: "account_update", event: "ACCOUNT_VIOLATION", raw: { violation_info: { violation_type: "ADULT" } } });
    expect(change("meta-account-update-disabled-01.json")).toMatchObject({ event: "DISABLED_UPDATE", raw: { ban_info: { waba_ban_state: "REINSTATE" } } });
    expect(change("meta-account-update-restriction-01.json")).toMatchObject({ event: "ACCOUNT_RESTRICTION" });
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
    expect(extractPhoneNumberIds(load("meta-batch-changes-01.json"))).toEqual(["PHONE_NUMBER_ID"]);
    const a = load("meta-text-01.json") as { entry: unknown[] };
    const b = load("meta-text-02.json") as { entry: unknown[] };
    expect(extractPhoneNumberIds({ entry: [...a.entry, ...b.entry, ...a.entry] })).toEqual(["106540352242922", "1122334455667"]);
  });

  it("returns nothing for account-level fields and never throws on garbage", () => {
    expect(extractPhoneNumberIds(load("meta-account-update-violation-01.json"))).toEqual([]);
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
});

describe("messagePreview", () => {
  it("keeps previews to one bounded line", () => {
    const preview = messagePreview({ type: "text", text: { body: `line one\n\nline two ${"x".repeat(600)}` } });
    expect(preview.startsWith("line one line two x")).toBe(true);
    expect(preview).toHaveLength(500);
  });
});
