import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "./errors";
import { bearerToken, readJson, toErrorResponse, withApiErrors } from "./http";

describe("API error shape", () => {
  it("maps zod errors to 422 with field details", async () => {
    const res = toErrorResponse(z.object({ name: z.string() }).safeParse({}).error);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { fieldErrors: Record<string, string[]> } } };
    expect(body.error.code).toBe("unprocessable");
    expect(body.error.details.fieldErrors.name).toBeDefined();
  });

  it("maps AppError codes to their status", async () => {
    const res = toErrorResponse(new AppError("not_found", "User not found"));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "User not found" } });
  });

  it("hides unknown errors behind a 500 with a request id", async () => {
    const handler = withApiErrors(async () => {
      throw new Error("db password is hunter2");
    });
    const original = console.error;
    console.error = () => {};
    try {
      const res = await handler(new Request("http://x/"), {});
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toContain("hunter2");
      expect(text).toContain("request");
    } finally {
      console.error = original;
    }
  });
});

describe("request helpers", () => {
  it("reads JSON and refuses bodies that are not JSON", async () => {
    expect(await readJson(new Request("http://x/", { method: "POST", body: '{"a":1}' }))).toEqual({ a: 1 });
    await expect(readJson(new Request("http://x/", { method: "POST", body: "{a:" }))).rejects.toMatchObject({ code: "bad_request" });
    await expect(readJson(new Request("http://x/", { method: "POST", body: "x".repeat(1024 * 1024 + 1) }))).rejects.toMatchObject({
      code: "payload_too_large",
    });
  });

  it("parses bearer tokens strictly", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeNull();
    expect(bearerToken(null)).toBeNull();
  });
});
