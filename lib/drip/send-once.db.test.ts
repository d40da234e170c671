// A send that got no answer may have reached the provider, so it is never sent again by itself: a timeout,
// or a run that died mid-request (its late answer still counts). Both drivers, a fake Cloud API on loopback.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beginOutboundSends, claimDueOutbound, finishOutbounds } from "@/db/queries";
import { whatsappNumbers } from "@/db/schema";
import { testDrivers } from "@/db/testing";
import { runDrip } from "./dispatch";
import { type SendOnceFixture, startSendOnceFixture } from "./send-once.fixture";

describe.each(testDrivers)("a send without an answer (%s)", (kind) => {
  let f: SendOnceFixture;
  beforeAll(async () => {
    f = await startSendOnceFixture(kind);
  });
  afterAll(async () => {
    await f.close();
  });

  it("a send that timed out may have been delivered: it fails as unconfirmed and is not sent again", async () => {
    await f.queue(1, 423, 1); // alone, so the short timeout below can only fire on the send meant to time out
    const slow = "+14230000001";
    f.delayFor.set(slow, 5_000); // far past the 300 ms timeout, however busy the machine
    const result = await runDrip(f.t.db, f.deps(300), { budgetMs: 30_000 });
    expect(result).toMatchObject({ claimed: 1, sent: 0, failed: 1, retried: 0 });
    const row = (await f.rowsOf(423)).find((r) => r.phone === slow)!;
    expect(row).toMatchObject({ status: "failed", errorCode: "send_unconfirmed", nextAttemptAt: null, attempts: 1 });
    expect(row.errorMessage).toMatch(/did not answer within 0\.3 s: it may have reached the provider/);
    expect(await runDrip(f.t.db, f.deps(), { now: () => new Date(Date.now() + 3_600_000), budgetMs: 10_000 })).toMatchObject({ claimed: 0 });
    expect(f.sentTo(423).filter((p) => p === slow)).toHaveLength(1); // the provider got it, once
  }, 60_000);

  it("a row whose run died mid-request is settled as unconfirmed, not sent again, and a late answer still counts", async () => {
    await f.queue(2, 424, 1);
    const now = new Date();
    const dying = "00000000-0000-4000-8000-0000000dead1";
    const claimed = await claimDueOutbound(f.t.db, { now, limit: 10, leaseMs: 60_000, runId: dying });
    expect(claimed).toHaveLength(2);
    const [begun, idle] = claimed as [(typeof claimed)[number], (typeof claimed)[number]];
    await f.t.db
      .update(whatsappNumbers)
      .set({ dripLeaseOwner: dying, dripLeaseUntil: new Date(now.getTime() + 60_000) })
      .where(eq(whatsappNumbers.id, begun.numberId!));
    expect(
      await beginOutboundSends(f.t.db, [
        { id: begun.id, runId: dying, attempts: begun.attempts, numberId: begun.numberId, now, until: new Date(now.getTime() + 60_000) },
      ]),
    ).toEqual([true]);
    // the run died here: its request may or may not have reached the provider

    const after = await runDrip(f.t.db, f.deps(), { now: () => new Date(now.getTime() + 61_000), budgetMs: 10_000 });
    expect(after).toMatchObject({ sent: 1, failed: 1 }); // the idle row is sent; the begun one is settled, not sent
    expect(f.sentTo(424)).toEqual([idle.phone]);
    const settled = (await f.rowsOf(424)).find((r) => r.id === begun.id)!;
    expect(settled).toMatchObject({ status: "failed", errorCode: "send_unconfirmed", leaseOwner: dying });

    // the first run's answer, arriving after all, is the truth
    const answer = { status: "sent" as const, providerMessageId: "wamid.late", sentAt: now, errorCode: null, errorMessage: null };
    expect(await finishOutbounds(f.t.db, [{ id: begun.id, runId: dying, attempts: begun.attempts, outcome: answer, now }])).toEqual([true]);
    expect((await f.rowsOf(424)).find((r) => r.id === begun.id)).toMatchObject({ status: "sent", providerMessageId: "wamid.late", errorCode: null });
  }, 60_000);
});
