import { describe, expect, it } from "vitest";
import { dashboardParamsSchema, resolveDashboardRange } from "./dashboard";

const now = new Date("2026-06-15T22:30:00Z");
const resolve = (raw: Record<string, string>) => resolveDashboardRange(dashboardParamsSchema.parse(raw), now);

describe("resolveDashboardRange", () => {
  it("ends a preset today and compares it with the days just before", () => {
    expect(resolve({})).toEqual({ from: "2026-05-17", to: "2026-06-15", days: 30, preset: 30, previousFrom: "2026-04-17", previousTo: "2026-05-16" });
    expect(resolve({ days: "7" })).toMatchObject({ from: "2026-06-09", to: "2026-06-15", previousFrom: "2026-06-02", previousTo: "2026-06-08" });
    expect(resolve({ days: "90" })).toMatchObject({ days: 90, preset: 90, from: "2026-03-18" });
  });

  it("takes a custom range, a single day included, and compares it with as many days before", () => {
    expect(resolve({ from: "2026-05-01", to: "2026-05-31" })).toEqual({
      from: "2026-05-01",
      to: "2026-05-31",
      days: 31,
      preset: null,
      previousFrom: "2026-03-31",
      previousTo: "2026-04-30",
    });
    expect(resolve({ from: "2026-06-15", to: "2026-06-15" })).toMatchObject({ days: 1, previousFrom: "2026-06-14", previousTo: "2026-06-14" });
    expect(resolve({ from: "2026-06-09", to: "2026-06-15" })).toMatchObject({ preset: 7 });
  });

  it("runs a lone start date up to today and keeps a range within a year", () => {
    expect(resolve({ from: "2026-06-01" })).toMatchObject({ from: "2026-06-01", to: "2026-06-15", days: 15 });
    expect(resolve({ from: "2020-01-01" })).toMatchObject({ to: "2026-06-15", days: 366 });
  });

  it("refuses a reversed or too long range and an unknown preset", () => {
    expect(dashboardParamsSchema.safeParse({ from: "2026-06-10", to: "2026-06-01" }).success).toBe(false);
    expect(dashboardParamsSchema.safeParse({ from: "2024-01-01", to: "2026-01-01" }).success).toBe(false);
    expect(dashboardParamsSchema.safeParse({ days: "14" }).success).toBe(false);
    expect(dashboardParamsSchema.safeParse({ from: "2026-02-31" }).success).toBe(false);
  });
});
