// Message content for the chat view, from each provider's stored payload (the repository's webhook fixtures).
import { describe, expect, it } from "vitest";
import { fixtureJson } from "@/test/fixtures/webhooks";
import { renderContent } from "./render";

const ID = "11111111-1111-4111-8111-111111111111";
type Envelope = { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
/** Cloud API: the stored payload is Meta's message object. */
const cloud = (name: string) => {
  const m = fixtureJson<Envelope>(name).entry[0]!.changes[0]!.value.messages[0]!;
  return renderContent({ id: ID, type: String(m.type), textPreview: null, payload: m });
};
/** Gupshup v2: the stored payload is the envelope's `payload`. */
const gupshup = (name: string, type: string) =>
  renderContent({ id: ID, type, textPreview: null, payload: fixtureJson<{ payload: Record<string, unknown> }>(name).payload });
/** Green API: the stored payload is the whole notification. */
const green = (name: string, type: string) => renderContent({ id: ID, type, textPreview: null, payload: fixtureJson<Record<string, unknown>>(name) });

const none = { text: null, media: null, location: null, contacts: null, reply: null, contextWamid: null, reaction: null };

describe("renderContent (Cloud API)", () => {
  it("reads a text", () => expect(cloud("meta-text.json")).toMatchObject({ text: expect.any(String), media: null, contextWamid: null }));
  it("reads a quoted reply's context", () =>
    expect(cloud("meta-text-reply.json")).toEqual({ ...none, text: "Yes, Tuesday works for me", contextWamid: "wamid.CT-OUT-0001" }));
  it("serves an image through our media URL, with its caption", () =>
    expect(cloud("meta-image.json")).toEqual({
      ...none,
      text: "My payment receipt",
      media: { url: `/api/v1/messages/${ID}/media`, mimeType: "image/jpeg", filename: null, caption: "My payment receipt" },
    }));
  it("reads a document's file name", () =>
    expect(cloud("meta-document.json").media).toMatchObject({ url: `/api/v1/messages/${ID}/media`, filename: expect.any(String) }));
  it("reads a voice note and a sticker as media", () => {
    expect(cloud("meta-audio-voice.json").media).toMatchObject({ mimeType: expect.stringContaining("audio") });
    expect(cloud("meta-sticker.json").media).not.toBeNull();
  });
  it("reads a location", () =>
    expect(cloud("meta-location-place.json").location).toEqual({
      latitude: 38.7107,
      longitude: -9.1373,
      name: "Clicktrail Sailing Club",
      address: "Rua Augusta 100, Lisboa",
    }));
  it("reads contacts with their phones", () =>
    expect(cloud("meta-contacts.json").contacts?.[0]).toEqual({ name: "Ivo Lindqvist", phones: ["+1 555-014-2007"] }));
  it("reads a tapped button and a list row", () => {
    expect(cloud("meta-interactive-button-reply.json")).toMatchObject({
      reply: { id: "slot-tue-1000", title: "Tuesday 10:00" },
      contextWamid: "wamid.CT-OUT-0008",
    });
    expect(cloud("meta-interactive-list-reply.json").reply).toMatchObject({ id: expect.any(String), title: expect.any(String) });
    expect(cloud("meta-button.json").reply).toEqual({ id: "unsubscribe-drip", title: "Unsubscribe" });
  });
  it("reads a reaction and its removal", () => {
    expect(cloud("meta-reaction.json").reaction).toEqual({ wamid: "wamid.CT-OUT-0001", emoji: "🔥" });
    expect(cloud("meta-reaction-removed.json").reaction).toMatchObject({ emoji: null });
  });
  it("shows nothing it cannot read for an unsupported message", () => expect(cloud("meta-unsupported.json")).toMatchObject({ media: null, location: null }));
});

describe("renderContent (Gupshup)", () => {
  it("reads a text reply's context", () =>
    expect(gupshup("gupshup-message-text-reply.json", "text")).toEqual({ ...none, text: "Sounds good, see you then", contextWamid: "gBEGCToutbound0001" }));
  it("reads an image with its caption", () =>
    expect(gupshup("gupshup-message-image.json", "image")).toMatchObject({
      text: "Screenshot of the payment",
      media: { url: `/api/v1/messages/${ID}/media`, mimeType: "image/jpeg", caption: "Screenshot of the payment" },
    }));
  it("reads a quick reply tap", () => expect(gupshup("gupshup-message-quick-reply.json", "button").reply).toEqual({ id: "Book a call", title: "Book a call" }));
  it("reads a Meta-shaped v3 message as Cloud's", () => expect(cloud("meta-text-gupshup-v3.json").text).toEqual(expect.any(String)));
});

describe("renderContent (Green API)", () => {
  it("reads a quoted reply", () =>
    expect(green("green-incoming-quoted.json", "text")).toMatchObject({ text: "Yes, Tuesday works for me", contextWamid: "CTGREEN0OUT00001" }));
  it("reads an image from its download URL", () =>
    expect(green("green-incoming-image.json", "image")).toMatchObject({
      text: "My payment receipt",
      media: { url: `/api/v1/messages/${ID}/media`, filename: "image-0005.jpg", caption: "My payment receipt" },
    }));
  it("reads a location and a contact card", () => {
    expect(green("green-incoming-location.json", "location").location).toEqual({
      latitude: 38.7107,
      longitude: -9.1373,
      name: "Clicktrail Sailing Club",
      address: "Rua Augusta 100, Lisboa",
    });
    expect(green("green-incoming-contact.json", "contacts").contacts).toEqual([{ name: "Ivo Lindqvist", phones: [] }]);
  });
  it("reads a reaction to our message", () =>
    expect(green("green-incoming-reaction.json", "reaction").reaction).toEqual({ wamid: "CTGREEN0OUT00001", emoji: "👍" }));
});
