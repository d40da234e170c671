import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./safe-redirect";

const origin = "https://console.example.com";

describe("safeCallbackPath (open redirect after sign-in)", () => {
  it.each([
    "/\\evil.example",
    "//evil.example",
    "https://evil.example",
    "http://console.example.com.evil.example/",
    "/\t/evil.example",
    "/\n/evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
    "/\\/evil.example",
  ])("sends %j to the dashboard", (raw) => {
    expect(safeCallbackPath(raw, origin)).toBe("/dashboard");
  });

  it("keeps an encoded backslash as a plain same-origin path (never decoded into a host)", () => {
    const path = safeCallbackPath("/%5Cevil.example", origin);
    expect(path).toBe("/%5Cevil.example");
    expect(new URL(path, origin).origin).toBe(origin);
    expect(safeCallbackPath("/%2F%2Fevil.example", origin)).toBe("/%2F%2Fevil.example");
  });

  it("keeps same-origin paths with their query and hash", () => {
    expect(safeCallbackPath("/subscribers?status=active#top", origin)).toBe("/subscribers?status=active#top");
    expect(safeCallbackPath("/queue", origin)).toBe("/queue");
  });

  it("every variant lands on the app's own origin", () => {
    for (const raw of ["/\\evil.example", "//evil.example", "https://evil.example", "/%5Cevil.example", "/%09/evil.example"]) {
      expect(new URL(safeCallbackPath(raw, origin), origin).origin).toBe(origin);
    }
  });

  it("ignores non-strings", () => {
    expect(safeCallbackPath(undefined, origin)).toBe("/dashboard");
    expect(safeCallbackPath(["/x"], origin)).toBe("/dashboard");
  });
});
