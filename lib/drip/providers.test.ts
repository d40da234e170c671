// Which provider answers are worth a retry, the backoff between attempts, and the Cloud API bodies.
import { describe, expect, it } from "vitest";
import type { GraphFailure } from "@/lib/graph/client";
import { DRIP_MAX_ATTEMPTS, dripBackoffMs, outcomeOf } from "./dispatch";
import { classifyCloudFailure, cloudMessageBody, shownProviderResponse } from "./providers";

const graph = (httpStatus: number, code: number | null): GraphFailure => ({
  kind: "graph",
  httpStatus,
  code,
  subcode: null,
  type: "OAuthException",
  message: "m",
  details: null,
  fbtraceId: null,
});

describe("classifyCloudFailure", () => {
  it("retries throughput, pair-rate and temporary errors, 5xx, 429 and transport failures", () => {
    for (const code of [130429, 131056, 131000, 131016, 4, 80007])
      expect(classifyCloudFailure(graph(400, code))).toEqual({ transient: true, code: String(code) });
    expect(classifyCloudFailure(graph(503, null))).toEqual({ transient: true, code: "http_503" });
    expect(classifyCloudFailure({ kind: "timeout", message: "slow" }).transient).toBe(true);
    expect(classifyCloudFailure({ kind: "network", message: "ECONNREFUSED" }).transient).toBe(true);
  });
  it("fails at once on undeliverable, re-engagement, spam, bad parameters and expired tokens", () => {
    for (const code of [131026, 131047, 131051, 100, 190, 131049])
      expect(classifyCloudFailure(graph(400, code))).toEqual({ transient: false, code: String(code) });
  });
});

describe("drip retries", () => {
  it("backs off 30 s, 1 min, 2 min … with jitter within ±20 %, capped at an hour", () => {
    expect([1, 2, 3, 4].map((a) => dripBackoffMs(a, () => 0.5))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(dripBackoffMs(1, () => 0)).toBe(24_000);
    expect(dripBackoffMs(1, () => 1)).toBe(36_000);
    expect(dripBackoffMs(20, () => 0.5)).toBe(3_600_000);
  });
  it("retries a transient failure until the last attempt, honouring a longer Retry-After, then fails", () => {
    const now = new Date("2031-01-01T00:00:00Z");
    const row = (attempts: number) => ({ attempts }) as Parameters<typeof outcomeOf>[0];
    const busy = { kind: "transient" as const, code: "130429", message: "rate", response: null };
    expect(outcomeOf(row(1), busy, now, () => 0.5)).toMatchObject({
      tally: "retried",
      outcome: { status: "pending", nextAttemptAt: new Date(now.getTime() + 30_000) },
    });
    expect(outcomeOf(row(1), { ...busy, retryAfterMs: 90_000 }, now, () => 0.5).outcome.nextAttemptAt).toEqual(new Date(now.getTime() + 90_000));
    expect(outcomeOf(row(DRIP_MAX_ATTEMPTS), busy, now)).toMatchObject({
      tally: "failed",
      outcome: { status: "failed", errorMessage: "rate (gave up after 5 attempts)" },
    });
    expect(outcomeOf(row(1), { ...busy, kind: "permanent" }, now)).toMatchObject({ tally: "failed", outcome: { status: "failed", errorCode: "130429" } });
  });
});

describe("cloudMessageBody", () => {
  it("orders positional parameters and names named ones", () => {
    const positional = cloudMessageBody({
      type: "template",
      to: "+1",
      template: {
        name: "t",
        language: "en",
        parameters: [
          { key: "2", variable: "course" },
          { key: "1", variable: "name" },
        ],
      },
      values: { name: "Ana", course: "acting" },
    });
    expect(positional.template).toEqual({
      name: "t",
      language: { code: "en" },
      components: [
        {
          type: "body",
          parameters: [
            { type: "text", text: "Ana" },
            { type: "text", text: "acting" },
          ],
        },
      ],
    });
    const named = cloudMessageBody({
      type: "template",
      to: "+1",
      template: { name: "t", language: "en", parameters: [{ key: "first_name", variable: "first_name" }] },
      values: { first_name: "Ana" },
    });
    expect((named.template as { components: unknown[] }).components).toEqual([
      { type: "body", parameters: [{ type: "text", text: "Ana", parameter_name: "first_name" }] },
    ]);
  });
});

describe("shownProviderResponse", () => {
  it("keeps the message id, status, error code and message (clipped) of any stored answer, and nothing else", () => {
    expect(shownProviderResponse({ messaging_product: "whatsapp", contacts: [{ wa_id: "1" }], messages: [{ id: "wamid.A" }] })).toEqual({
      messageId: "wamid.A",
    });
    expect(shownProviderResponse({ idMessage: "BAE5", echo: { access_token: "EAAG-secret" } })).toEqual({ idMessage: "BAE5" });
    const graph = {
      httpStatus: 400,
      error: {
        code: 131026,
        error_subcode: 2494010,
        message: "Message undeliverable",
        fbtrace_id: "Ab",
        error_data: { details: "d", messaging_product: "whatsapp" },
        is_transient: false,
      },
    };
    expect(shownProviderResponse(graph)).toEqual({
      httpStatus: 400,
      error: { code: 131026, error_subcode: 2494010, message: "Message undeliverable", fbtrace_id: "Ab", error_data: { details: "d" } },
    });
    expect((shownProviderResponse({ message: "x".repeat(10_000) })!.message as string).length).toBe(500);
    expect(shownProviderResponse({ body: "<html>internal admin page</html>", text: "secret" })).toBeNull();
    expect(shownProviderResponse(null)).toBeNull();
    expect(shownProviderResponse(["a"])).toBeNull();
  });
});
