// What a provider's answer makes of a drip row: a failure that proves the request never left is retried,
// one after which the provider may have the message (no answer) fails as unconfirmed and is never retried.
import { describe, expect, it } from "vitest";
import type { OutboundRow } from "@/db/queries";
import { mayHaveReachedProvider, outcomeOf } from "./dispatch";
import type { SendOutcome } from "./providers";

const now = new Date("2031-05-01T09:00:00.000Z");
const row = { attempts: 1 } as OutboundRow;
const transient = (code: string, message: string): SendOutcome => ({ kind: "transient", code, message, response: { transport: code, message } });

describe("outcomeOf", () => {
  it("fails a timed-out send as unconfirmed, without a retry", () => {
    const { outcome, tally } = outcomeOf(row, transient("timeout", "Meta's Graph API did not answer within 10 s"), now, () => 0.5);
    expect(tally).toBe("failed");
    expect(outcome).toMatchObject({ status: "failed", errorCode: "send_unconfirmed", nextAttemptAt: null, providerResponse: { transport: "timeout" } });
    expect(outcome.errorMessage).toBe(
      "Meta's Graph API did not answer within 10 s: it may have reached the provider, so it is not sent again automatically; retry it from the queue monitor if the customer did not get it",
    );
  });

  it("fails a connection lost mid-request as unconfirmed", () => {
    expect(mayHaveReachedProvider(transient("network", "Could not reach Green API (ECONNRESET)"))).toBe(true);
    expect(mayHaveReachedProvider(transient("network", "Could not reach Green API (socket hang up)"))).toBe(true);
    expect(outcomeOf(row, transient("network", "Could not reach Green API (ECONNRESET)"), now).outcome.errorCode).toBe("send_unconfirmed");
  });

  it("retries a connection that was never made, with backoff", () => {
    for (const reason of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]) {
      const result = transient("network", `Could not reach Meta's Graph API (${reason})`);
      expect(mayHaveReachedProvider(result)).toBe(false);
      expect(outcomeOf(row, result, now, () => 0.5)).toMatchObject({
        tally: "retried",
        outcome: { status: "pending", errorCode: "network", nextAttemptAt: new Date(now.getTime() + 30_000) },
      });
    }
  });

  it("retries a provider's transient answer, and fails a permanent one with its code", () => {
    const busy: SendOutcome = { kind: "transient", code: "130429", message: "(#130429) Rate limit hit", response: { httpStatus: 400 } };
    expect(mayHaveReachedProvider(busy)).toBe(false);
    expect(outcomeOf(row, busy, now, () => 0.5)).toMatchObject({ tally: "retried", outcome: { status: "pending", errorCode: "130429" } });
    const gone: SendOutcome = { kind: "permanent", code: "131026", message: "(#131026) Message undeliverable", response: null };
    expect(outcomeOf(row, gone, now)).toMatchObject({ tally: "failed", outcome: { status: "failed", errorCode: "131026" } });
  });

  it("records a send with the provider's message id", () => {
    expect(outcomeOf(row, { kind: "sent", providerMessageId: "wamid.x", response: { messageId: "wamid.x" } }, now)).toMatchObject({
      tally: "sent",
      outcome: { status: "sent", providerMessageId: "wamid.x", sentAt: now, errorCode: null },
    });
  });
});
