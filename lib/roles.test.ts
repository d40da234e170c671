import { describe, expect, it } from "vitest";
import { hasRole } from "./roles";

describe("role hierarchy", () => {
  it("orders admin above manager above marketer", () => {
    expect(hasRole("admin", "manager")).toBe(true);
    expect(hasRole("manager", "marketer")).toBe(true);
    expect(hasRole("manager", "admin")).toBe(false);
    expect(hasRole("marketer", "manager")).toBe(false);
    expect(hasRole("marketer", "marketer")).toBe(true);
  });
});
