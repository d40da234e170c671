// The subscriber page's timeline lists a drip send once (its queue row), though the send also left a messages row.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueOutbound, finishOutbounds, insertTenant } from "@/db/queries";
import { messages, outboundMessages, subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { createNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { loadSubscriberPage } from "./read";

const encryptionKey = Buffer.alloc(32, 19).toString("base64");
const now = new Date("2031-06-01T10:00:00.000Z");

describe.each(testDrivers)("subscriber page (%s)", (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("lists a drip send once, as its queue row; the person's other outbound messages stay", async () => {
    const tenantId = (await insertTenant(t.db, { name: "Timeline" })).id;
    const number = await createNumber(
      t.db,
      { encryptionKey, appUrl: "http://x" },
      {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: "Cloud",
          phoneE164: "+15550781234",
          phoneNumberId: "146540352241234",
          wabaId: "102290129341234",
          accessToken: "EAAG",
          appSecret: "s",
        }),
      },
    );
    const phone = "+14153001234";
    const [s] = await t.db
      .insert(subscribers)
      .values({ tenantId, waPhone: phone, waId: phone.slice(1), phoneHash: "x", firstSeenAt: now })
      .returning();
    await t.db.insert(messages).values({
      tenantId,
      subscriberId: s!.id,
      numberId: number.id,
      direction: "outbound",
      wamid: "wamid.reply",
      type: "text",
      textPreview: "a reply",
      status: "sent",
      providerTimestamp: now,
    });
    await t.db
      .insert(outboundMessages)
      .values({ tenantId, subscriberId: s!.id, numberId: number.id, phone, templateName: "welcome", renderedText: "Hi", scheduledAt: now });
    const runId = "00000000-0000-4000-8000-00000000a001";
    const [row] = await claimDueOutbound(t.db, { now, limit: 5, leaseMs: 60_000, runId });
    const outcome = { status: "sent" as const, providerMessageId: "wamid.drip", sentAt: now, renderedText: "Hi" };
    expect(await finishOutbounds(t.db, [{ id: row!.id, runId, attempts: row!.attempts, outcome, now, sentAs: { type: "text" } }])).toEqual([true]);

    const page = (await loadSubscriberPage(t.db, { tenantId, id: s!.id }))!;
    expect(page.outbound.map((o) => [o.id, o.status])).toEqual([[row!.id, "sent"]]);
    expect(page.messages.map((m) => m.wamid)).toEqual(["wamid.reply"]);
    expect(page.subscriber.outboundCount).toBe(1); // the drip's count; the reply above was stored by hand
  });
});
