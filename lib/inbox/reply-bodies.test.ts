// The provider bodies of inbox replies: Cloud API text with preview_url, media by link, templates, context.message_id.
import { describe, expect, it } from "vitest";
import { cloudMessageBody } from "@/lib/drip/providers";

describe("cloudMessageBody for replies", () => {
  it("sends text with preview_url and quotes the replied-to message", () => {
    expect(cloudMessageBody({ type: "text", to: "+15550001", text: "see https://x.test", previewUrl: true, replyTo: "wamid.A" })).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "+15550001",
      context: { message_id: "wamid.A" },
      type: "text",
      text: { preview_url: true, body: "see https://x.test" },
    });
  });
  it("sends media by link: a caption except on audio, a file name on documents only", () => {
    expect(cloudMessageBody({ type: "media", to: "+1", kind: "image", link: "https://cdn.test/a.jpg", caption: "Menu", filename: "x.jpg" })).toMatchObject({
      type: "image",
      image: { link: "https://cdn.test/a.jpg", caption: "Menu" },
    });
    expect(cloudMessageBody({ type: "media", to: "+1", kind: "audio", link: "https://cdn.test/a.ogg", caption: "ignored" })).toMatchObject({
      type: "audio",
      audio: { link: "https://cdn.test/a.ogg" },
    });
    expect(
      cloudMessageBody({ type: "media", to: "+1", kind: "document", link: "https://cdn.test/p.pdf", caption: "Price list", filename: "prices.pdf" }),
    ).toMatchObject({
      type: "document",
      document: { link: "https://cdn.test/p.pdf", caption: "Price list", filename: "prices.pdf" },
    });
  });
  it("sends a template's body parameters in order", () => {
    const body = cloudMessageBody({
      type: "template",
      to: "+1",
      template: {
        name: "order_update",
        language: "en_US",
        parameters: [
          { key: "2", variable: "2" },
          { key: "1", variable: "1" },
        ],
      },
      values: { "1": "Ana", "2": "#1029" },
    });
    expect(body.template).toEqual({
      name: "order_update",
      language: { code: "en_US" },
      components: [
        {
          type: "body",
          parameters: [
            { type: "text", text: "Ana" },
            { type: "text", text: "#1029" },
          ],
        },
      ],
    });
    expect(body).not.toHaveProperty("context");
  });
});
