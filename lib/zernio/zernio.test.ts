// The Zernio mapping on plain data: stored conversions as Zernio's answers, and errors in its flat shape.
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { ConversionListRow, ConversionRow } from "@/db/queries";
import { AppError } from "@/lib/errors";
import { toZernioConversionEvent, toZernioSendResult } from "./conversions";
import { methodNotAllowed, toZernioErrorResponse, zernioRouteNotFound } from "./errors";
import { parseZernioInput, zernioListQuerySchema, zernioSendResultSchema } from "./schemas";

const id = "6f1c1d4e-8f7a-4c1e-9d5b-0a2b3c4d5e6f";
const row = (patch: Partial<ConversionRow>) =>
  ({
    id,
    eventId: "order-1:Purchase",
    status: "sent",
    warnings: [],
    fbtraceId: "AbcTrace",
    eventsReceived: 1,
    lastError: null,
    response: null,
    ...patch,
  }) as ConversionRow;

describe("toZernioSendResult", () => {
  it("answers a sent conversion with Meta's count and trace id", () => {
    const { status, result } = toZernioSendResult(row({}), false);
    expect(status).toBe(200);
    expect(zernioSendResultSchema.parse(result)).toEqual({
      platform: "metaads",
      eventsReceived: 1,
      eventsFailed: 0,
      failures: [],
      traceId: "AbcTrace",
      id,
      eventId: "order-1:Purchase",
      status: "sent",
      duplicate: false,
      warnings: [],
    });
  });

  it("answers a rejected one as one failure with Meta's code, and a failed one with its status as code", () => {
    const rejected = toZernioSendResult(
      row({
        status: "rejected",
        eventsReceived: null,
        lastError: "Meta 100/2804066: Invalid parameter",
        response: { error: { code: 100, error_subcode: 2804066 } },
      }),
      true,
    );
    expect(rejected.status).toBe(200);
    expect(rejected.result).toMatchObject({
      eventsReceived: 0,
      eventsFailed: 1,
      duplicate: true,
      failures: [{ eventIndex: 0, eventId: "order-1:Purchase", code: 100, message: "Meta 100/2804066: Invalid parameter" }],
    });
    const failed = toZernioSendResult(row({ status: "failed", fbtraceId: null, lastError: "The number of this conversion was deleted" }), false);
    expect(failed.result.failures).toEqual([
      { eventIndex: 0, eventId: "order-1:Purchase", code: "failed", message: "The number of this conversion was deleted" },
    ]);
    expect(failed.result).not.toHaveProperty("traceId");
  });

  it("answers one still waiting for a retry with 202", () => {
    expect(toZernioSendResult(row({ status: "queued", fbtraceId: null }), false)).toMatchObject({
      status: 202,
      result: { eventsReceived: 0, eventsFailed: 0, status: "queued" },
    });
  });
});

describe("toZernioConversionEvent", () => {
  const listRow = (patch: Partial<ConversionListRow>) =>
    ({
      id,
      eventId: "e1",
      eventName: "LeadSubmitted",
      status: "sent",
      conversationId: null,
      fbtraceId: "T",
      sentAt: new Date("2026-01-02T03:04:05Z"),
      createdAt: new Date("2026-01-02T03:04:00Z"),
      ...patch,
    }) as ConversionListRow;

  it("counts a sent conversion as one received, a rejected one as one failed, a queued one as unknown", () => {
    expect(toZernioConversionEvent(listRow({}))).toMatchObject({
      timestamp: "2026-01-02T03:04:05.000Z",
      eventsReceived: 1,
      eventsFailed: 0,
      traceId: "T",
      durationMs: null,
    });
    expect(toZernioConversionEvent(listRow({ status: "rejected", sentAt: null }))).toMatchObject({
      timestamp: "2026-01-02T03:04:00.000Z",
      eventsReceived: 0,
      eventsFailed: 1,
    });
    expect(toZernioConversionEvent(listRow({ status: "queued", sentAt: null }))).toMatchObject({ eventsReceived: null, eventsFailed: null });
  });
});

describe("Zernio errors", () => {
  it("flattens an AppError with its status, precise code and details", async () => {
    const res = toZernioErrorResponse(new AppError("not_found", "Number x was not found", { accountId: "x" }, "number_not_found"));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Number x was not found", code: "number_not_found", details: { accountId: "x" } });
  });

  it("turns a ZodError into 422 with every field in the message", async () => {
    const parsed = z.object({ a: z.string(), b: z.number() }).safeParse({});
    const res = toZernioErrorResponse(parsed.error);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: "unprocessable",
      error: expect.stringMatching(/^a: .*; b: /),
      details: { fieldErrors: { a: expect.any(Array), b: expect.any(Array) } },
    });
  });

  it("hides an unexpected error behind a 500 with a request id, logging it", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = toZernioErrorResponse(new Error("secret detail"));
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toEqual({ error: expect.stringMatching(/^Something went wrong on our side \(request [\w-]+\)\.$/), code: "internal" });
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });

  it("refuses a list limit over 200 as invalid_request", () => {
    expect(() => parseZernioInput(zernioListQuerySchema, { accountId: id, limit: "201" })).toThrow(/limit must be a whole number from 1 to 200/);
    expect(parseZernioInput(zernioListQuerySchema, { accountId: id })).toEqual({ accountId: id, limit: 50 });
  });

  it("answers unknown paths with 404 and other methods with 405 and Allow", async () => {
    const missing = zernioRouteNotFound(new Request("http://t/api/zernio/v1/posts", { method: "POST" }));
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatch(/^POST \/api\/zernio\/v1\/posts is not a Zernio API call Clicktrail answers/);
    const wrong = await methodNotAllowed(["GET", "POST"]).DELETE(new Request("http://t/api/zernio/v1/whatsapp/dataset", { method: "DELETE" }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, POST");
  });
});
