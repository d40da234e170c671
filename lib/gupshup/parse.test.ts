import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type InboundMessage, type StatusUpdate, type WebhookItem } from "@/lib/whatsapp/normalised";
import { parseGupshupWebhook } from "./parse";

const corpusDir = path.resolve(__dirname, "../../../shared/corpus/webhooks");
const receivedAt = new Date("2030-01-02T03:04:05.000Z");

function load(file: string): unknown {
  return JSON.parse(readFileSync(path.join(corpusDir, file), "utf8"));
}

function one(json: unknown): WebhookItem {
  const parsed = parseGupshupWebhook(json, { receivedAt });
  expect(parsed.provider).toBe("gupshup");
  expect(parsed.items).toHaveLength(1);
  return parsed.items[0]!;
}

function message(file: string): InboundMessage {
  const item = one(load(file));
  if (item.kind !== "message") throw new Error(`${file}: expected a message, got ${item.kind}`);
  return item;
}

function status(file: string): StatusUpdate {
  const item = one(load(file));
  if (item.kind !== "status") throw new Error(`${file}: expected a status, got ${item.kind}`);
  return item;
}

const seconds = (s: number) => new Date(s * 1000);

describe("parseGupshupWebhook v2: inbound messages", () => {
  it("reads a text message with sender and the envelope's millisecond timestamp", () => {
    const m = message("gupshup-message-text-01.json");
    expect(m).toMatchObject({
      wamid: "ABEGkYaYVSEEAhAL3SLAWwHKeKrt6s3FKB0c",
      from: "57123456789",
      type: "text",
      textPreview: "Hi",
      phoneNumberId: null,
      referral: null,
      context: null,
      contact: { waId: "57123456789", profileName: "Smit", userId: null },
      payload: { source: "57123456789", payload: { text: "Hi" } },
    });
    expect(m.timestamp).toEqual(new Date(1580227766370));
  });

  it("reads a wamid id and the sender's business-scoped user id", () => {
    expect(message("gupshup-message-text-03.json")).toMatchObject({
      wamid: "wamid.HBgMOTE3NTA2MDgwNDgwFQIAEhgUM0FFNTVCQzgxQzNBQUExQzUwMEMA",
      fromUserId: "IN.1648738043044942",
      contact: { userId: "IN.1648738043044942", profileName: "Avadhoot Yadav" },
    });
  });

  it("reads reply context and maps a quick-reply tap onto Meta's button type", () => {
    expect(message("gupshup-message-text-reply-01.json").context).toMatchObject({ id: "gBEGkYaYVSEEAgnPFrOLcjkFjL8" });
    const tap = message("gupshup-message-quick-reply-01.json");
    expect(tap).toMatchObject({ type: "button", textPreview: "🔘 View Account Balance", context: { id: "gBEGkYaYVSEEAgnPFrOLcjkFjL8" } });
  });

  it("reads media by url and content type", () => {
    expect(message("gupshup-message-image-01.json")).toMatchObject({
      type: "image",
      textPreview: "📷 Image: Sample image",
      media: { id: null, url: "https://filemanager.gupshup.io/fm/wamedia/DemoApp/546af999-825e-485b-bf54-4a3323824cca", mimeType: "image/jpeg", caption: "Sample image" },
    });
    expect(message("gupshup-message-audio-01.json")).toMatchObject({ type: "audio", textPreview: "🎵 Audio", media: { mimeType: "audio/ogg; codecs=opus", caption: null } });
  });

  it("reads a Click-to-WhatsApp referral with ctwa_clid", () => {
    expect(message("gupshup-message-referral-ad-01.json").referral).toMatchObject({
      sourceType: "ad",
      sourceId: "6570618339781",
      sourceUrl: "https://fb.me/3tkSI06bP",
      headline: "Chat with us",
      mediaType: "image",
      ctwaClid: "ARAHuTtGzmFlOO_WcXezfYBRzrxoH2Emo4kj-mXVvHoMQVU748gp6Sp-IKS2_scLmfnBJSWvvsZpVqjJfMQPM6TJy1_dNFC1ZUztlDk4i1RijetS",
    });
  });

  it("reads a post referral, which has no ctwa_clid", () => {
    const referral = message("gupshup-message-referral-post-01.json").referral;
    expect(referral).toMatchObject({ sourceType: "post", sourceId: "951242428775548", headline: "Demo Gupshup ad", ctwaClid: null, imageUrl: null });
    expect(referral?.raw).toMatchObject({ image: { id: "6a35b528-429d-4fe3-953d-536ef0397ece" } });
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
    const s = status("gupshup-message-event-sent-01.json");
    expect(s).toMatchObject({
      status: "sent",
      wamid: "gBEGkYaYVSEEAgnZxQ3JmKK6Wvg",
      providerMessageId: "ee4a68a0-1203-4c85-8dc3-49d0b3226a35",
      matchIds: ["gBEGkYaYVSEEAgnZxQ3JmKK6Wvg", "ee4a68a0-1203-4c85-8dc3-49d0b3226a35"],
      recipientId: "123456789",
      errors: [],
    });
    expect(s.timestamp).toEqual(seconds(1585344475));
  });

  it("reads sent with conversation, PMP pricing and userId when both ids are Gupshup UUIDs", () => {
    const s = status("gupshup-message-event-sent-02.json");
    expect(s).toMatchObject({
      providerMessageId: "793df8da-2283-4774-a861-c2ffbae83823",
      matchIds: ["cc3651a4-493b-4a38-b867-c547af202259", "793df8da-2283-4774-a861-c2ffbae83823"],
      recipientUserId: "IN.1648738043044942",
      pricing: { billable: null, model: "PMP", category: "authentication", type: "regular" },
    });
    expect(s.conversation).toEqual({ id: "05c0fb064921e533f66798cc17f8e5ff", originType: "authentication", expiresAt: seconds(1776944126) });
  });

  it("reads delivered and read", () => {
    expect(status("gupshup-message-event-delivered-01.json")).toMatchObject({ status: "delivered", timestamp: seconds(1585344476) });
    expect(status("gupshup-message-event-delivered-02.json")).toMatchObject({ status: "delivered", recipientId: "917980890978" });
    expect(status("gupshup-message-event-read-01.json")).toMatchObject({ status: "read", timestamp: seconds(1585344602) });
    expect(status("gupshup-message-event-read-02.json")).toMatchObject({ status: "read", recipientUserId: "IN.3724117084395812" });
  });

  it("reads enqueued, joining Gupshup's id to the WhatsApp id", () => {
    const s = status("gupshup-message-event-enqueued-01.json");
    expect(s).toMatchObject({
      status: "enqueued",
      wamid: "gBEGkYaYVSEEAgkD7bRi9syGnBk",
      providerMessageId: "59f8db90-c37e-4408-90ab-cc54ef8246ad",
      matchIds: ["59f8db90-c37e-4408-90ab-cc54ef8246ad", "gBEGkYaYVSEEAgkD7bRi9syGnBk"],
    });
    expect(s.timestamp).toEqual(new Date(1580546677791));
  });

  it("reads synchronous and asynchronous failures with Gupshup and Meta codes", () => {
    expect(status("gupshup-message-event-failed-01.json")).toMatchObject({
      status: "failed",
      wamid: "ee4a68a0-1203-4c85-8dc3-49d0b3226a35",
      providerMessageId: "ee4a68a0-1203-4c85-8dc3-49d0b3226a35",
      errors: [{ code: 1008, title: "User is not Opted in and Inactive", message: "User is not Opted in and Inactive", details: null }],
    });
    const async = status("gupshup-message-event-failed-02.json");
    expect(async.errors[0]?.code).toBe(470);
    expect(async.matchIds).toEqual(["9163a016-710e-41ee-978b-79a1adbd734e", "72f61f22-5aa4-4615-a970-943edf6da01c"]);
  });
});

describe("parseGupshupWebhook v2: user, template and account events", () => {
  it("reads opt-in, opt-out and sandbox-start", () => {
    expect(one(load("gupshup-user-event-opted-in-01.json"))).toEqual({ kind: "user_event", phone: "123456789", event: "opted-in" });
    expect(one(load("gupshup-user-event-opted-out-01.json"))).toEqual({ kind: "user_event", phone: "123456789", event: "opted-out" });
    expect(one(load("gupshup-user-event-sandbox-start-01.json"))).toEqual({ kind: "user_event", phone: null, event: "sandbox-start" });
    expect(one(load("gupshup-user-event-sandbox-start-02.json"))).toEqual({ kind: "user_event", phone: "918x98xx21x4", event: "sandbox-start" });
  });

  it("reads template and account events", () => {
    const v2 = (type: string, payload: unknown) => ({ app: "DemoApp", phone: "918000000000", timestamp: 1700000000000, version: 2, type, payload });
    const templateStatus = { type: "status-update", id: "tpl-1", status: "rejected", elementName: "promo", languageCode: "en", rejectedReason: "INVALID_FORMAT" };
    expect(one(v2("template-event", templateStatus))).toMatchObject({ kind: "template_status", templateId: "tpl-1", name: "promo", event: "REJECTED", reason: "INVALID_FORMAT" });
    expect(one(v2("template-event", { type: "category-update", id: "tpl-1", elementName: "promo" }))).toMatchObject({ kind: "template_category", templateId: "tpl-1" });
    const tier = { type: "tier-event", payload: { event: "UPGRADE", currentTier: "TIER_1K", newTier: "TIER_10K" } };
    expect(one(v2("account-event", tier))).toMatchObject({ kind: "number_quality", displayPhoneNumber: "918000000000", event: "UPGRADE", currentLimit: "TIER_10K" });
    expect(one(v2("account-event", { type: "status-event", payload: {} }))).toMatchObject({ kind: "account_update", event: "status-event" });
    expect(one(v2("billing-event", {}))).toEqual({ kind: "ignored", field: "billing-event", reason: "event type not handled" });
  });
});

describe("parseGupshupWebhook v3 (Meta passthrough)", () => {
  it("delegates inbound messages to the Meta parser", () => {
    const parsed = parseGupshupWebhook(load("meta-text-04.json"), { receivedAt });
    expect(parsed.phoneNumberIds).toEqual(["269033402967482"]);
    expect(parsed.items[0]).toMatchObject({
      kind: "message",
      wamid: "wamid.HBgMOTE3NTA2MDgwNDgwFQIAEhgUM0FFNTVCQzgxQzNBQUExQzUwMEMA",
      fromUserId: "IN.1648738043044942",
      textPreview: "Hello partner portal",
    });
  });

  it("takes the wamid from meta_msg_id when id is Gupshup's", () => {
    expect(one(load("meta-status-sent-04.json"))).toMatchObject({
      kind: "status",
      status: "sent",
      wamid: "wamid.HBgMOTE3NTA2MDgwNDgwFQIAERgSRUJFMTZDNjI5NjEyNUFBMDM0AA==",
      providerMessageId: "793df8da-2283-4774-a861-c2ffbae83823",
      matchIds: [
        "wamid.HBgMOTE3NTA2MDgwNDgwFQIAERgSRUJFMTZDNjI5NjEyNUFBMDM0AA==",
        "cc3651a4-493b-4a38-b867-c547af202259",
        "793df8da-2283-4774-a861-c2ffbae83823",
      ],
      pricing: { billable: true, model: "PMP", category: "authentication", type: "regular" },
    });
    expect(one(load("meta-status-delivered-03.json"))).toMatchObject({
      wamid: "wamid.HBgMOTE3NTA2MDgwNDgwFQIAERgSMEY0QjBGRUNEODY1NTNEN0E2AA==",
      recipientUserId: "IN.3724117084395812",
      pricing: { billable: false, type: "free_customer_service" },
    });
  });

  const v3 = (status: Record<string, unknown>) => ({
    gs_app_id: "82ed52f4-30c0-4f12-81b4-e7ad07bd41de",
    object: "whatsapp_business_account",
    entry: [{ changes: [{ field: "messages", value: { messaging_product: "whatsapp", statuses: [status] } }] }],
  });

  it("reads enqueued with a millisecond timestamp and no metadata", () => {
    const enqueued = { gs_id: "2baff204-c39a-4121-90b5-f53f26d522b3", id: "wamid.HBgMOTE5MTYzODA1ODczFQIAERgSNkZCMThGMEEwQzJDOUFGQjFBAA==", recipient_id: "919163805873", status: "enqueued", timestamp: 1710941393420 };
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
    expect(one(v3({ id: "x", status: "set-callback", timestamp: "1710941393" }))).toEqual({ kind: "ignored", field: "messages", reason: "gupshup set-callback status" });
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
