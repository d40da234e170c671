// The per-process processing loop keeps one loop per database: a kick for one database is never answered
// by a loop that is draining another (a process with two databases, as the test suites have, once lost
// its kick to the other database's loop and left its events `received`).
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertNumber, insertTenant } from "@/db/queries";
import { webhookEvents } from "@/db/schema";
import { createTestDb, type TestDb } from "@/db/testing";
import { kickWebhookProcessing } from "./processing-loop";
import { storeWebhookEvent } from "./store";

function body(pnid: string, wamid: string): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "WABA",
        changes: [
          {
            field: "messages",
            value: {
              metadata: { display_phone_number: "15550000000", phone_number_id: pnid },
              contacts: [{ profile: { name: "Loop" }, wa_id: "16505550101" }],
              messages: [{ from: "16505550101", id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "hi" } }],
            },
          },
        ],
      },
    ],
  });
}

describe("webhook processing loop", () => {
  const dbs: { t: TestDb; tenantId: string; numberId: string }[] = [];
  const pnid = "980000000000001";

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const t = await createTestDb("pglite");
      const tenantId = (await insertTenant(t.db, { name: `Loop ${i}` })).id;
      const n = await insertNumber(t.db, {
        tenantId,
        label: "Loop",
        phoneE164: "+15550000001",
        provider: "cloud",
        phoneNumberId: pnid,
        verifyToken: randomUUID(),
      });
      dbs.push({ t, tenantId, numberId: n.id });
    }
  });
  afterAll(async () => {
    for (const { t } of dbs) await t.cleanup();
  });

  type Party = (typeof dbs)[number];
  const store = (p: Party, wamid: string) =>
    storeWebhookEvent(p.t.db, {
      provider: "cloud",
      rawBody: body(pnid, wamid),
      signatureResult: "valid",
      routedPhoneNumberIds: [pnid],
      tenantId: p.tenantId,
      numberId: p.numberId,
    });
  const statusOf = async (p: Party, id: string) => (await p.t.db.select({ s: webhookEvents.status }).from(webhookEvents).where(eq(webhookEvents.id, id)))[0]!.s;

  it("a kick for one database while another database's loop runs processes its own events", async () => {
    const [one, two] = dbs as [Party, Party];
    const first = await store(one, `wamid.LOOP.${randomUUID()}`);
    const second = await store(two, `wamid.LOOP.${randomUUID()}`);
    const running = kickWebhookProcessing(one.t.db);
    const kicked = kickWebhookProcessing(two.t.db);
    expect(kicked).not.toBe(running);
    await Promise.all([running, kicked]);
    expect(await statusOf(one, first.id)).toBe("processed");
    expect(await statusOf(two, second.id)).toBe("processed");
  });

  it("a second kick for the same database joins the running loop, which looks again", async () => {
    const [one] = dbs as [Party];
    const a = await store(one, `wamid.LOOP.${randomUUID()}`);
    const running = kickWebhookProcessing(one.t.db);
    const b = await store(one, `wamid.LOOP.${randomUUID()}`);
    expect(kickWebhookProcessing(one.t.db)).toBe(running);
    await running;
    expect([await statusOf(one, a.id), await statusOf(one, b.id)]).toEqual(["processed", "processed"]);
  });
});
