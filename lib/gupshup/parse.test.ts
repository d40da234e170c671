import { describe, expect, it } from "vitest";
import { type InboundMessage, type StatusUpdate, type WebhookItem } from "@/lib/whatsapp/normalised";
import { fixtureJson } from "@/test/fixtures/webhooks";
import { parseGupshupWebhook } from "./parse";

const receivedAt = new Date("2030-01-02T03:04:05.000Z");
const G1 = "15550142101";
const G2 = "15550142102";
const G2_USER = "US.70000000000000000102";
const GS_ID = "c7000000-0000-4000-8000-000000000001"; // Gupshup's id of the outbound message gBEGCToutbound0001

function one(json: unknown): WebhookItem {
  const parsed = parseGupshupWebhook(json, { receivedAt });
  expect(parsed.provider).toBe("gupshup");
  expect(parsed.items).toHaveLength(1);
  return parsed.items[0]!;
}

function message(name: string): InboundMessage {
  const item = one(fixtureJson(name));
  if (item.kind !== "message") throw new Error(`${name}: expected a message, got ${item.kind}`);
  return item;
}

function status(name: string): StatusUpdate {
  const item = one(fixtureJson(name));
  if (item.kind !== "status") throw new Error(`${name}: expected a status, got ${item.kind}`);
  return item;
}

const seconds = (s: number) => new Date(s * 1000);

describe("parseGupshupWebhook v2: inbound messages", () => {
  it("reads a text message with sender and the envelope's millisecond timestamp", () => {
    const m = message("gupshup-message-text.json");
    expect(m).toMatchObject({
      wamid: "ABEGCTinbound0001",
      from: G1,
      fromUserId: null,
      type: "text",
      textPreview: "Hello! Is there a trial lesson?",
      phoneNumberId: null,
      referral: null,
      context: null,
      contact: { waId: G1, profileName: "Lena Ortiz", userId: null },
      payload: { source: G1, payload: { text: "Hello! Is there a trial lesson?" } },
    });
    expect(m.timestamp).toEqual(new Date(1767610500437));
  });

  it("reads a wamid id, non-ASCII text and the sender's business-scoped user id", () => {
    expect(message("gupshup-message-text-bsuid.json")).toMatchObject({
      wamid: "wamid.CT-GS-TEXT-0002",
      from: G2,
      fromUserId: G2_USER,
      textPreview: "Привет! Есть места на курс?",
      contact: { waId: G2, userId: G2_USER, profileName: "Олег Петров" },
    });
  });

  it("reads reply context and maps a quick-reply tap onto Meta's button type", () => {
    expect(message("gupshup-message-text-reply.json")).toMatchObject({ textPreview: "Sounds good, see you then", context: { id: "gBEGCToutbound0001" } });
    const tap = message("gupshup-message-quick-reply.json");
    expect(tap).toMatchObject({ type: "button", textPreview: "🔘 Book a call", context: { id: "gBEGCToutbound0001" } });
  });

  it("reads media by url and content type", () => {
    expect(message("gupshup-message-image.json")).toMatchObject({
      type: "image",
      textPreview: "📷 Image: Screenshot of the payment",
      media: {
        id: null,
        url: "https://filemanager.gupshup.io/wa/ct-fixture-app/wa/media/ct-image-0005?download=false",
        mimeType: "image/jpeg",
        caption: "Screenshot of the payment",
      },
    });
    expect(message("gupshup-message-audio.json")).toMatchObject({
      type: "audio",
      textPreview: "🎵 Audio",
      media: {
        url: "https://filemanager.gupshup.io/wa/ct-fixture-app/wa/media/ct-audio-0006?download=false",
        mimeType: "audio/ogg; codecs=opus",
        caption: null,
      },
    });
  });

  it("reads a Click-to-WhatsApp referral with ctwa_clid", () => {
    const m = message("gupshup-message-referral-ad.json");
    expect(m).toMatchObject({ wamid: "CTgsOpaque0007xYzQ", textPreview: "Хочу на курс из рекламы" });
    expect(m.referral).toMatchObject({
      sourceType: "ad",
      sourceId: "120210000000000404",
      sourceUrl: "https://fb.me/ct1Ad0004",
      headline: "Sail this winter",
      mediaType: "image",
      imageUrl: "https://scontent.xx.fbcdn.net/v/t45.1600-4/ct-fixture-ad-0004.jpg",
      ctwaClid: "ARAkLmOcB5rKt0wXn3vQd8hLp2sYj6mGf1cZa9eUo4iNb7tWq-Ct_Ad0004pDx",
    });
  });

  it("reads a post referral, which has no ctwa_clid", () => {
    const referral = message("gupshup-message-referral-post.json").referral;
    expect(referral).toMatchObject({ sourceType: "post", sourceId: "950000000000008", headline: "Winter regatta", ctwaClid: null, imageUrl: null });
    expect(referral?.raw).toMatchObject({ image: { id: "d4000000-0000-4000-8000-000000000008" } });
  });

  it("maps Gupshup-only types onto Meta's names", () => {
    const envelope = (type: string, payload: Record<string, unknown>) => ({
      app: "DemoApp",
      timestamp: 1580227766370,
      version: 2,
      type: "message",
      payload: { id: `id-${type}`, source: "918098765432", type, payload, sender: { phone: "918098765432", name: "Jacob" } },
    });
    const preview = (type: string, payload: Record<string, unknown>) => {
      const item = one(envelope(type, payload));
      return item.kind === "message" ? [item.type, item.textPreview] : [item.kind];
    };
    expect(preview("file", { url: "https://x/f", contentType: "application/pdf", name: "menu.pdf" })).toEqual(["document", "📄 Document: menu.pdf"]);
    expect(preview("location", { longitude: "72.8552172", latitude: "19.1453658" })).toEqual(["location", "📍 Location: (19.1453658, 72.8552172)"]);
    expect(preview("contact", { contacts: [{ name: { formatted_name: "Ana Silva" } }] })).toEqual(["contacts", "👤 Contact: Ana Silva"]);
    expect(preview("quick_reply", { text: "Yes", type: "button", postbackText: "YES" })).toEqual(["button", "🔘 Yes"]);
    expect(preview("list_reply", { title: "Gold plan", id: "gold" })).toEqual(["interactive", "📋 Gold plan"]);
    expect(preview("request_welcome", {})).toEqual(["request_welcome", "👋 Opened the chat (welcome request)"]);
  });
});

describe("parseGupshupWebhook v2: message events", () => {
  it("reads sent with the WhatsApp id in id and Gupshup's in gsId, timed by payload.ts (seconds)", () => {
    const s = status("gupshup-message-event-sent.json");
    expect(s).toMatchObject({
      status: "sent",
      wamid: "gBEGCToutbound0001",
      providerMessageId: GS_ID,
      matchIds: ["gBEGCToutbound0001", GS_ID],
      recipientId: G1,
      errors: [],
    });
    expect(s.timestamp).toEqual(seconds(1767610981));
  });

  it("reads sent with conversation, PMP pricing and userId when both ids are Gupshup UUIDs", () => {
    const s = status("gupshup-message-event-sent-pmp.json");
    expect(s).toMatchObject({
      wamid: "c7000000-0000-4000-8000-000000000021",
      providerMessageId: "c7000000-0000-4000-8000-000000000022",
      matchIds: ["c7000000-0000-4000-8000-000000000021", "c7000000-0000-4000-8000-000000000022"],
      recipientId: G2,
      recipientUserId: G2_USER,
      pricing: { billable: null, model: "PMP", category: "marketing", type: "regular" },
    });
    expect(s.conversation).toEqual({ id: "9a1c0e5b7d3f4a2e8c6b0d1f3e5a7c21", originType: "marketing", expiresAt: seconds(1767697440) });
  });

  it("reads delivered and read", () => {
    expect(status("gupshup-message-event-delivered.json")).toMatchObject({ status: "delivered", timestamp: seconds(1767610983) });
    expect(status("gupshup-message-event-delivered-uuid.json")).toMatchObject({
      status: "delivered",
      recipientId: G2,
      matchIds: ["c7000000-0000-4000-8000-000000000021", "c7000000-0000-4000-8000-000000000022"],
      timestamp: seconds(1767611044),
    });
    expect(status("gupshup-message-event-read.json")).toMatchObject({ status: "read", timestamp: seconds(1767611105) });
    expect(status("gupshup-message-event-read-bsuid.json")).toMatchObject({ status: "read", recipientUserId: G2_USER, timestamp: seconds(1767611130) });
  });

  it("reads enqueued, joining Gupshup's id to the WhatsApp id", () => {
    const s = status("gupshup-message-event-enqueued.json");
    expect(s).toMatchObject({ status: "enqueued", wamid: "gBEGCToutbound0001", providerMessageId: GS_ID, matchIds: [GS_ID, "gBEGCToutbound0001"] });
    expect(s.timestamp).toEqual(new Date(1767610980120));
  });

  it("names one outbound message by both ids across enqueued, sent, delivered and read", () => {
    const names = ["enqueued", "sent", "delivered", "read"].map((e) => `gupshup-message-event-${e}.json`);
    expect(names.map((n) => status(n)).map((s) => [s.status, [...s.matchIds].sort()])).toEqual(
      ["enqueued", "sent", "delivered", "read"].map((e) => [e, [GS_ID, "gBEGCToutbound0001"]]),
    );
  });

  it("reads synchronous and asynchronous failures with Gupshup and Meta codes", () => {
    expect(status("gupshup-message-event-failed.json")).toMatchObject({
      status: "failed",
      wamid: "c7000000-0000-4000-8000-000000000031",
      providerMessageId: "c7000000-0000-4000-8000-000000000031",
      recipientId: "15550142103",
      errors: [{ code: 1002, title: "Number Does Not Exists On WhatsApp", message: "Number Does Not Exists On WhatsApp", details: null }],
    });
    const async = status("gupshup-message-event-failed-async.json");
    expect(async.errors).toEqual([{ code: 131047, title: "Re-engagement message", message: "Re-engagement message", details: null }]);
    expect(async.providerMessageId).toBe("c7000000-0000-4000-8000-000000000042");
    expect(async.matchIds).toEqual(["c7000000-0000-4000-8000-000000000041", "c7000000-0000-4000-8000-000000000042"]);
  });
});

describe("parseGupshupWebhook v2: user, template and account events", () => {
  it("reads opt-in, opt-out and sandbox-start", () => {
    expect(one(fixtureJson("gupshup-user-event-opted-in.json"))).toEqual({ kind: "user_event", phone: G1, event: "opted-in" });
    expect(one(fixtureJson("gupshup-user-event-opted-out.json"))).toEqual({ kind: "user_event", phone: G1, event: "opted-out" });
    expect(one(fixtureJson("gupshup-user-event-sandbox-start.json"))).toEqual({ kind: "user_event", phone: null, event: "sandbox-start" });
    expect(one(fixtureJson("gupshup-user-event-sandbox-start-phone.json"))).toEqual({ kind: "user_event", phone: G2, event: "sandbox-start" });
  });

  it("reads template and account events", () => {
    const v2 = (type: string, payload: unknown) => ({ app: "DemoApp", phone: "918000000000", timestamp: 1700000000000, version: 2, type, payload });
    const templateStatus = {
      type: "status-update",
      id: "tpl-1",
      status: "rejected",
      elementName: "promo",
      languageCode: "en",
      rejectedReason: "INVALID_FORMAT",
    };
    expect(one(v2("template-event", templateStatus))).toMatchObject({
      kind: "template_status",
      templateId: "tpl-1",
      name: "promo",
      event: "REJECTED",
      reason: "INVALID_FORMAT",
    });
    expect(one(v2("template-event", { type: "category-update", id: "tpl-1", elementName: "promo" }))).toMatchObject({
      kind: "template_category",
      templateId: "tpl-1",
    });
    const tier = { type: "tier-event", payload: { event: "UPGRADE", currentTier: "TIER_1K", newTier: "TIER_10K" } };
    expect(one(v2("account-event", tier))).toMatchObject({
      kind: "number_quality",
      displayPhoneNumber: "918000000000",
      event: "UPGRADE",
      currentLimit: "TIER_10K",
    });
    expect(one(v2("account-event", { type: "status-event", payload: {} }))).toMatchObject({ kind: "account_update", event: "status-event" });
    expect(one(v2("billing-event", {}))).toEqual({ kind: "ignored", field: "billing-event", reason: "event type not handled" });
  });
});

describe("parseGupshupWebhook v3 (Meta passthrough)", () => {
  it("delegates inbound messages to the Meta parser", () => {
    const parsed = parseGupshupWebhook(fixtureJson("meta-text-gupshup-v3.json"), { receivedAt });
    expect(parsed.provider).toBe("gupshup");
    expect(parsed.phoneNumberIds).toEqual(["320000000000003"]);
    expect(parsed.items).toHaveLength(1);
    expect(parsed.items[0]).toMatchObject({
      kind: "message",
      wabaId: "310000000000003",
      wamid: "wamid.CT-GSV3-TEXT-0001",
      from: "15550142006",
      fromUserId: "US.70000000000000000006",
      textPreview: "Hello from the partner app",
    });
  });

  it("takes the wamid from meta_msg_id when id is Gupshup's", () => {
    expect(one(fixtureJson("meta-status-sent-gupshup-v3.json"))).toMatchObject({
      kind: "status",
      status: "sent",
      wamid: "wamid.CT-GSV3-OUT-0001",
      providerMessageId: "c7000000-0000-4000-8000-000000000051",
      matchIds: ["wamid.CT-GSV3-OUT-0001", "c7000000-0000-4000-8000-000000000052", "c7000000-0000-4000-8000-000000000051"],
      pricing: { billable: true, model: "PMP", category: "utility", type: "regular" },
    });
    expect(one(fixtureJson("meta-status-delivered-gupshup-v3.json"))).toMatchObject({
      status: "delivered",
      wamid: "wamid.CT-GSV3-OUT-0002",
      recipientUserId: "US.70000000000000000006",
      pricing: { billable: false, type: "free_customer_service" },
    });
  });

  const v3 = (status: Record<string, unknown>) => ({
    gs_app_id: "82ed52f4-30c0-4f12-81b4-e7ad07bd41de",
    object: "whatsapp_business_account",
    entry: [{ changes: [{ field: "messages", value: { messaging_product: "whatsapp", statuses: [status] } }] }],
  });

  it("reads enqueued with a millisecond timestamp and no metadata", () => {
    const enqueued = {
      gs_id: "2baff204-c39a-4121-90b5-f53f26d522b3",
      id: "wamid.HBgMOTE5MTYzODA1ODczFQIAERgSNkZCMThGMEEwQzJDOUFGQjFBAA==",
      recipient_id: "919163805873",
      status: "enqueued",
      timestamp: 1710941393420,
    };
    expect(one(v3(enqueued))).toMatchObject({
      kind: "status",
      status: "enqueued",
      phoneNumberId: null,
      wamid: "wamid.HBgMOTE5MTYzODA1ODczFQIAERgSNkZCMThGMEEwQzJDOUFGQjFBAA==",
      providerMessageId: "2baff204-c39a-4121-90b5-f53f26d522b3",
      timestamp: new Date(1710941393420),
    });
  });

  it("reads flat code/reason failures and drops the set-callback pseudo-status", () => {
    expect(one(v3({ id: "gs-1", status: "failed", timestamp: "1710941393", code: 1002, reason: "Number does not exist" }))).toMatchObject({
      errors: [{ code: 1002, title: "Number does not exist", message: "Number does not exist", details: null }],
    });
    expect(one(v3({ id: "x", status: "set-callback", timestamp: "1710941393" }))).toEqual({
      kind: "ignored",
      field: "messages",
      reason: "gupshup set-callback status",
    });
  });
});

describe("parseGupshupWebhook: robustness", () => {
  it.each([null, "x", [], {}, { type: 3, payload: {} }])("throws on a non-Gupshup body: %j", (body) => {
    expect(() => parseGupshupWebhook(body)).toThrow(/^not a Gupshup webhook: /);
  });

  it("ignores broken payloads instead of throwing", () => {
    const v2 = (type: string, payload: unknown) => ({ app: "DemoApp", timestamp: "not-a-time", version: 2, type, payload });
    expect(one(v2("message", { type: "text" }))).toEqual({ kind: "ignored", field: "message", reason: "message without an id" });
    expect(one(v2("message-event", null))).toEqual({ kind: "ignored", field: "message-event", reason: "event without an id" });
    const noTime = one(v2("message", { id: "m1", type: "text", payload: { text: "hi" } }));
    expect(noTime).toMatchObject({ kind: "message", timestamp: receivedAt, from: null, contact: null });
  });
});
