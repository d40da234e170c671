import { describe, expect, it } from "vitest";
import type { InboundMessage, StatusUpdate, WebhookItem } from "@/lib/whatsapp/normalised";
import { fixtureJson } from "@/test/fixtures/webhooks";
import { chatPhone, greenNotificationKey, parseGreenWebhook } from "./parse";

const receivedAt = new Date("2030-01-02T03:04:05.000Z");
const seconds = (s: number) => new Date(s * 1000);
const itemOf = (json: unknown): WebhookItem => {
  const parsed = parseGreenWebhook(json, { receivedAt });
  expect(parsed).toMatchObject({ provider: "green", phoneNumberIds: [] });
  expect(parsed.items).toHaveLength(1);
  return parsed.items[0]!;
};
const message = (name: string) => {
  const item = itemOf(fixtureJson(name));
  expect(item.kind).toBe("message");
  return item as InboundMessage;
};
const status = (name: string) => {
  const item = itemOf(fixtureJson(name));
  expect(item.kind).toBe("status");
  return item as StatusUpdate;
};

describe("parseGreenWebhook: incoming messages", () => {
  it("reads a text message with its sender, name, id and time", () => {
    const m = message("green-incoming-text.json");
    expect(m).toMatchObject({
      phoneNumberId: null,
      wabaId: null,
      displayPhoneNumber: "15550100005",
      wamid: "CTGREEN0IN000001",
      from: "15550142201",
      fromUserId: null,
      type: "text",
      textPreview: "Hi! Is the January course still open?",
      referral: null,
      context: null,
      media: null,
      errors: [],
    });
    expect(m.timestamp).toEqual(seconds(1767611000));
    expect(m.contact).toEqual({ waId: "15550142201", userId: null, parentUserId: null, username: null, profileName: "Tomas Silva" });
    expect(m.payload).toMatchObject({ typeWebhook: "incomingMessageReceived", messageData: { typeMessage: "textMessage" } });
  });

  it("reads STOP as plain text (the opt-out rules apply to it)", () => {
    expect(message("green-incoming-text-stop.json")).toMatchObject({
      type: "text",
      textPreview: "STOP",
      from: "15550142202",
      contact: { profileName: "Ирина Волкова" },
    });
  });

  it("reads extended text and a quoted reply with the message it answers", () => {
    expect(message("green-incoming-extended-text.json")).toMatchObject({ type: "text", textPreview: "Is this the one? https://example.com/courses/sailing" });
    expect(message("green-incoming-quoted.json")).toMatchObject({
      type: "text",
      textPreview: "Yes, Tuesday works for me",
      context: { id: "CTGREEN0OUT00001", forwarded: false },
    });
  });

  it("reads media with url, mime type, caption and file name", () => {
    expect(message("green-incoming-image.json")).toMatchObject({
      type: "image",
      textPreview: "📷 Image: My payment receipt (image-0005.jpg)",
      media: {
        id: null,
        url: "https://sw-media-out.green-api.com/ct-fixture/image-0005.jpg",
        mimeType: "image/jpeg",
        caption: "My payment receipt",
        filename: "image-0005.jpg",
      },
    });
    expect(message("green-incoming-document.json")).toMatchObject({ type: "document", textPreview: "📄 Document: Подписанный договор (contract-0006.pdf)" });
    expect(message("green-incoming-audio.json")).toMatchObject({ type: "audio", media: { mimeType: "audio/ogg; codecs=opus" } });
    expect(message("green-incoming-sticker.json")).toMatchObject({ type: "sticker", textPreview: "🏷️ Sticker (animated)", media: { animated: true } });
  });

  it("reads a location, a contact card and a reaction to our message", () => {
    expect(message("green-incoming-location.json")).toMatchObject({
      type: "location",
      textPreview: "📍 Location: Clicktrail Sailing Club, Rua Augusta 100, Lisboa (38.7107, -9.1373)",
    });
    expect(message("green-incoming-contact.json")).toMatchObject({ type: "contacts", textPreview: "👤 Contact: Ivo Lindqvist" });
    expect(message("green-incoming-reaction.json")).toMatchObject({
      type: "reaction",
      textPreview: "👍 reacted to a message",
      reaction: { messageId: "CTGREEN0OUT00001", emoji: "👍" },
    });
  });

  it("keeps an API exception in place of the content as an unsupported message with the code", () => {
    const m = message("green-incoming-api-exception.json");
    expect(m).toMatchObject({ type: "unsupported", errors: [{ code: "SWE001", title: "Green API could not deliver the content (SWE001)" }] });
    expect(m.textPreview).toMatch(/^Unsupported message: textMessage/);
  });

  it("maps button and list replies onto Meta's types", () => {
    const base = fixtureJson<Record<string, unknown>>("green-incoming-text.json");
    const button = {
      ...base,
      messageData: {
        typeMessage: "templateButtonsReplyMessage",
        templateButtonReplyMessage: { stanzaId: "CTGREEN0OUT00001", selectedId: "book", selectedDisplayText: "Book a call" },
      },
    };
    expect(itemOf(button)).toMatchObject({ type: "button", textPreview: "🔘 Book a call", context: { id: "CTGREEN0OUT00001" } });
    const list = {
      ...base,
      messageData: { typeMessage: "listResponseMessage", listResponseMessage: { stanzaId: "X", title: "Beginner course", selectedRowId: "course-beginner" } },
    };
    expect(itemOf(list)).toMatchObject({ type: "interactive", textPreview: "📋 Beginner course" });
    const poll = { ...base, messageData: { typeMessage: "pollMessage" } };
    expect(itemOf(poll)).toMatchObject({ kind: "message", type: "unsupported", textPreview: "Unsupported message: pollMessage" });
  });

  it("ignores what is not a person's new message: groups, hidden numbers, edits and deletions, our own sends", () => {
    const base = fixtureJson<Record<string, unknown> & { senderData: Record<string, unknown> }>("green-incoming-text.json");
    const group = { ...base, senderData: { ...base.senderData, chatId: "120363043968066561@g.us" } };
    expect(itemOf(group)).toMatchObject({ kind: "ignored", reason: "group chat message" });
    const lid = { ...base, senderData: { ...base.senderData, chatId: "7700000000001@lid", sender: "7700000000001@lid" } };
    expect(itemOf(lid)).toMatchObject({ kind: "ignored" });
    expect(itemOf({ ...base, messageData: { typeMessage: "deletedMessage" } })).toMatchObject({ kind: "ignored" });
    expect(itemOf({ ...base, idMessage: undefined })).toMatchObject({ kind: "ignored", reason: "message without idMessage" });
    expect(itemOf({ ...base, typeWebhook: "outgoingAPIMessageReceived" })).toMatchObject({ kind: "ignored", field: "outgoingAPIMessageReceived" });
    expect(itemOf({ typeWebhook: "quotaExceeded", instanceData: {}, timestamp: 1 })).toMatchObject({ kind: "ignored" });
  });
});

describe("parseGreenWebhook: statuses and state", () => {
  it("reads sent, delivered and read of our message by its idMessage", () => {
    for (const [name, value, at] of [
      ["green-status-sent.json", "sent", 1767611600],
      ["green-status-delivered.json", "delivered", 1767611602],
      ["green-status-read.json", "read", 1767611630],
    ] as const) {
      expect(status(name)).toEqual({
        kind: "status",
        phoneNumberId: null,
        wabaId: null,
        wamid: "CTGREEN0OUT00001",
        providerMessageId: null,
        matchIds: ["CTGREEN0OUT00001"],
        status: value,
        timestamp: seconds(at),
        recipientId: "15550142201",
        recipientUserId: null,
        conversation: null,
        pricing: null,
        errors: [],
        bizOpaqueCallbackData: null,
      });
    }
  });

  it("reads failed and noAccount as failures with Green's code", () => {
    expect(status("green-status-failed.json")).toMatchObject({
      status: "failed",
      wamid: "CTGREEN0OUT00002",
      errors: [{ code: "SWE004", title: "SWE004: the message could not be sent", details: "SWE004: the message could not be sent" }],
    });
    expect(status("green-status-no-account.json")).toMatchObject({
      status: "failed",
      recipientId: "15550142203",
      errors: [{ code: "noAccount", title: "The number has no WhatsApp account", details: null }],
    });
  });

  it("reads the instance state", () => {
    expect(itemOf(fixtureJson("green-state-instance-changed.json"))).toEqual({
      kind: "instance_state",
      state: "notAuthorized",
      timestamp: seconds(1767611900),
    });
  });

  it("refuses a body that is not a notification", () => {
    expect(() => parseGreenWebhook({ hello: "world" })).toThrow(/not a Green API notification: no typeWebhook \(keys: hello\)/);
    expect(() => parseGreenWebhook([1])).toThrow(/body is an array/);
  });
});

describe("greenNotificationKey", () => {
  it("names a notification by type, idMessage and status, or by time for a state change", () => {
    expect(greenNotificationKey(fixtureJson("green-incoming-text.json"))).toBe("incomingMessageReceived:CTGREEN0IN000001:");
    expect(greenNotificationKey(fixtureJson("green-status-sent.json"))).toBe("outgoingMessageStatus:CTGREEN0OUT00001:sent");
    expect(greenNotificationKey(fixtureJson("green-status-read.json"))).toBe("outgoingMessageStatus:CTGREEN0OUT00001:read");
    expect(greenNotificationKey(fixtureJson("green-state-instance-changed.json"))).toBe("stateInstanceChanged:1767611900:notAuthorized");
    expect(greenNotificationKey({ nope: 1 })).toBeNull();
  });
});

describe("chatPhone", () => {
  it.each([
    ["79001234567@c.us", "79001234567"],
    ["120363043968066561@g.us", null],
    ["7700000000001@lid", null],
    ["79001234567", null],
    [undefined, null],
  ])("%s → %s", (input, expected) => {
    expect(chatPhone(input)).toBe(expected);
  });
});
