import { describe, expect, it } from "vitest";
import type { GraphError, GraphFailure } from "@/lib/graph/client";
import { ADS_MANAGEMENT_HINT, explainAudienceError } from "./errors";

const graph = (code: number | null, message: string, extra: Partial<GraphError> = {}): GraphFailure => ({
  kind: "graph",
  httpStatus: 400,
  code,
  subcode: null,
  type: "OAuthException",
  message,
  details: null,
  fbtraceId: "AbC",
  ...extra,
});

describe("explainAudienceError", () => {
  it("keeps Graph's message verbatim and explains a missing ads_management permission (codes 200, 10, 294 and the words)", () => {
    for (const code of [200, 10, 294]) {
      const e = explainAudienceError(graph(code, `(#${code}) Requires ads_management permission to manage the object`, { httpStatus: 403 }));
      expect(e).toEqual({ message: `(#${code}) Requires ads_management permission to manage the object`, hint: ADS_MANAGEMENT_HINT, retryable: false });
    }
    const byWords = explainAudienceError(graph(3, "Application does not have the capability: ads_management is missing"));
    expect(byWords.hint).toBe(ADS_MANAGEMENT_HINT);
    expect(ADS_MANAGEMENT_HINT).toMatch(/System user/i);
    expect(ADS_MANAGEMENT_HINT).toMatch(/Manage campaigns/);
  });

  it("links the account's Custom Audience terms when they were not accepted", () => {
    const e = explainAudienceError(
      graph(2663, "(#2663) Terms of service has not been accepted. To accept, go to https://www.facebook.com/customaudiences/app/tos/?act=42"),
      {
        adAccountId: "act_42",
      },
    );
    expect(e.retryable).toBe(false);
    expect(e.hint).toContain("https://business.facebook.com/ads/manage/customaudiences/tos/?act=42");
    expect(e.message).toBe("(#2663) Terms of service has not been accepted. To accept, go to https://www.facebook.com/customaudiences/app/tos/?act=42");
    expect(explainAudienceError(graph(100, "Terms of Service Not Accepted", { subcode: 1815089 }), { adAccountId: "7" }).hint).toContain("?act=7");
  });

  it("says an expired token must be replaced (190), and an unknown audience or account must be checked (100, 803)", () => {
    const expired = explainAudienceError(graph(190, "Error validating access token: Session has expired", { httpStatus: 401, subcode: 463 }));
    expect(expired.retryable).toBe(false);
    expect(expired.hint).toMatch(/expired or was revoked/);
    for (const code of [100, 803]) {
      const unknown = explainAudienceError(graph(code, "Unsupported post request. Object with ID '1' does not exist"));
      expect(unknown.retryable).toBe(false);
      expect(unknown.hint).toMatch(/does not know this audience or ad account/);
    }
  });

  it("treats rate limits (4, 17, 32, 613, 80003, 80004, HTTP 429) as retryable and keeps Retry-After", () => {
    for (const code of [4, 17, 32, 613, 80003, 80004]) {
      const e = explainAudienceError(graph(code, "User request limit reached"));
      expect(e.retryable, `code ${code}`).toBe(true);
      expect(e.retryAfterMs).toBeUndefined();
    }
    expect(explainAudienceError(graph(null, "HTTP 429", { httpStatus: 429, retryAfterMs: 120_000 }))).toMatchObject({ retryable: true, retryAfterMs: 120_000 });
    expect(explainAudienceError(graph(17, "User request limit reached", { retryAfterMs: 5_000 })).retryAfterMs).toBe(5_000);
  });

  it("retries 5xx, timeouts and network failures, and nothing else unknown", () => {
    expect(explainAudienceError(graph(2, "An unexpected error has occurred.", { httpStatus: 500 })).retryable).toBe(true);
    expect(explainAudienceError(graph(null, "HTTP 502", { httpStatus: 502 })).retryable).toBe(true);
    expect(explainAudienceError({ kind: "timeout", message: "Meta's Graph API did not answer within 10 s" })).toMatchObject({
      message: "Meta's Graph API did not answer within 10 s",
      retryable: true,
    });
    expect(explainAudienceError({ kind: "network", message: "Could not reach Meta's Graph API (ECONNREFUSED)" }).retryable).toBe(true);
    expect(explainAudienceError({ kind: "bad_response", httpStatus: 200, message: "unexpected body" }).retryable).toBe(false);
    expect(explainAudienceError(graph(1487390, "Some other refusal"))).toEqual({ message: "Some other refusal", hint: null, retryable: false });
  });
});
