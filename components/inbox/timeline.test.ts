import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatTranscript } from "./api";
import { buildTimeline, mergeTranscripts } from "./timeline";

const message = (id: string, at: string, conversationId: string | null = "conv-1"): ChatMessage => ({
  id,
  conversationId,
  direction: "inbound",
  type: "text",
  text: id,
  status: "received",
  at,
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
});

const referral = {
  sourceType: "ad",
  sourceUrl: null,
  headline: "Spring course",
  body: null,
  imageUrl: null,
  thumbnailUrl: null,
  ctwaClid: "clid",
  adId: "1",
  adName: "Ad",
  campaignName: "Camp",
};

describe("buildTimeline", () => {
  it("orders messages oldest first with the referral card before its conversation's first message and conversions at their time", () => {
    const t: Pick<ChatTranscript, "rows" | "conversations" | "conversions"> = {
      // newest first, as the API answers
      rows: [message("m3", "2026-12-07T10:02:00.000Z"), message("m2", "2026-12-07T10:01:00.000Z"), message("m1", "2026-12-07T10:00:00.000Z")],
      conversations: [
        { id: "conv-1", startedAt: "2026-12-07T10:00:00.000Z", windowExpiresAt: "2026-12-08T10:00:00.000Z", referral },
        { id: "conv-2", startedAt: "2026-12-06T10:00:00.000Z", windowExpiresAt: "2026-12-07T10:00:00.000Z", referral: null },
      ],
      conversions: [{ id: "cv", conversationId: "conv-1", eventName: "Purchase", value: 10, currency: "USD", status: "sent", at: "2026-12-07T10:01:30.000Z" }],
    };
    expect(buildTimeline(t).map((i) => i.key)).toEqual(["r:conv-1", "m:m1", "m:m2", "c:cv", "m:m3"]);
  });

  it("merges pages keeping the first copy of each message (the newer poll)", () => {
    const fresh = { ...message("m1", "2026-12-07T10:00:00.000Z"), status: "read" };
    const merged = mergeTranscripts([
      { rows: [fresh], conversations: [], conversions: [] },
      { rows: [message("m1", "2026-12-07T10:00:00.000Z"), message("m0", "2026-12-07T09:00:00.000Z")], conversations: [], conversions: [] },
    ]);
    expect(merged.rows.map((m) => [m.id, m.status])).toEqual([
      ["m1", "read"],
      ["m0", "received"],
    ]);
  });
});
