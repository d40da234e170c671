// The creative's picture in the attribution report, and the ad of one conversation (a conversion's detail).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ads, conversations, subscribers } from "../schema";
import { createTestDb, type TestDb, testDrivers } from "../testing";
import { getConversationAd, reportByAd } from "./attribution";
import { insertTenant } from "./tenants";

const at = (iso: string) => new Date(iso);

describe.each(testDrivers)("attribution queries (%s)", (kind) => {
  let t: TestDb;
  let tenantId = "";
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Pictures" })).id;
    const [sub] = await t.db
      .insert(subscribers)
      .values({ tenantId, waPhone: "+15550000001", firstSeenAt: at("2030-01-01T00:00:00Z") })
      .returning();
    await t.db.insert(ads).values([
      { tenantId, adId: "v1", adName: "Video ad", adsetName: "Set 1", campaignId: "c1", campaignName: "Winter", status: "enriched" },
      { tenantId, adId: "p1", status: "pending" },
    ]);
    const convo = async (key: string, startedAt: string, extra: Partial<typeof conversations.$inferInsert>) => {
      const [row] = await t.db
        .insert(conversations)
        .values({ tenantId, subscriberId: sub!.id, startedAt: at(startedAt), lastMessageAt: at(startedAt), windowExpiresAt: at(startedAt), ...extra })
        .returning();
      ids[key] = row!.id;
    };
    await convo("old", "2030-01-02T10:00:00Z", { sourceType: "ad", adId: "v1", thumbnailUrl: "https://cdn.test/old.jpg" });
    await convo("new", "2030-01-03T10:00:00Z", {
      sourceType: "ad",
      adId: "v1",
      thumbnailUrl: "https://cdn.test/new.jpg",
      imageUrl: "https://cdn.test/ignored.jpg",
    });
    await convo("bare", "2030-01-04T10:00:00Z", { sourceType: "ad", adId: "v1" }); // a later referral without a picture
    await convo("photo", "2030-01-03T11:00:00Z", {
      sourceType: "ad",
      adId: "p1",
      imageUrl: "https://cdn.test/photo.jpg",
      adName: "Photo ad",
      campaignName: "Spring",
    });
    await convo("organic", "2030-01-03T12:00:00Z", { sourceType: null });
  });
  afterAll(() => t.cleanup());

  it("shows each ad with the picture of its latest referral that carried one, a video's thumbnail before an image", async () => {
    const rows = await reportByAd(t.db, { tenantId, from: at("2030-01-01T00:00:00Z"), to: at("2030-01-10T00:00:00Z") });
    const ad = (id: string) => rows.find((r) => r.level === "ad" && r.adId === id);
    expect(ad("v1")).toMatchObject({ adName: "Video ad", thumbnailUrl: "https://cdn.test/new.jpg", conversations: 3 });
    expect(ad("p1")).toMatchObject({ thumbnailUrl: "https://cdn.test/photo.jpg" });
  });

  it("names a conversation's ad and campaign from the conversation, else from the ads cache, and has none for an organic one", async () => {
    expect(await getConversationAd(t.db, { tenantId, conversationId: ids.bare! })).toEqual({
      adId: "v1",
      adName: "Video ad",
      adsetName: "Set 1",
      campaignId: "c1",
      campaignName: "Winter",
      headline: null,
      thumbnailUrl: null,
    });
    expect(await getConversationAd(t.db, { tenantId, conversationId: ids.photo! })).toMatchObject({
      adId: "p1",
      adName: "Photo ad",
      campaignId: null,
      campaignName: "Spring",
    });
    expect(await getConversationAd(t.db, { tenantId, conversationId: ids.organic! })).toBeNull();
    const other = (await insertTenant(t.db, { name: "Other" })).id;
    expect(await getConversationAd(t.db, { tenantId: other, conversationId: ids.new! })).toBeNull();
  });
});
