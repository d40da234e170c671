import { describe, expect, it } from "vitest";
import { filterQuickReplies, moveActive, slashQuery } from "./quick-reply-filter";

const reply = (shortcut: string, text: string) => ({ id: shortcut, shortcut, text });
const replies = [
  reply("address", "Rua Augusta 10, Lisbon"),
  reply("hello", "Hi! How can we help?"),
  reply("hours", "We are open Monday to Friday, 9:00–18:00."),
  reply("price-list", "Our prices start at 20 EUR."),
  reply("shipping", "We ship within 2 working days; opening hours do not matter."),
];
const shortcuts = (query: string) => filterQuickReplies(replies, query).map((r) => r.shortcut);

describe("slashQuery", () => {
  it("reads what follows a leading slash", () => {
    expect(slashQuery("/")).toBe("");
    expect(slashQuery("/hou")).toBe("hou");
    expect(slashQuery("/open hours")).toBe("open hours");
  });

  it("is null for a draft that is not a slash search", () => {
    expect(slashQuery("")).toBeNull();
    expect(slashQuery("hello /hours")).toBeNull();
    expect(slashQuery(" /hours")).toBeNull();
    expect(slashQuery("/hours\nsecond line")).toBeNull();
    expect(slashQuery(`/${"x".repeat(65)}`)).toBeNull();
    expect(slashQuery(`/${"x".repeat(64)}`)).toHaveLength(64);
  });
});

describe("filterQuickReplies", () => {
  it("offers every reply, in the given order, for an empty search", () => {
    expect(shortcuts("")).toEqual(["address", "hello", "hours", "price-list", "shipping"]);
    expect(shortcuts("   ")).toHaveLength(5);
  });

  it("ranks the exact shortcut, then shortcut prefixes, then shortcuts containing it, then texts", () => {
    expect(shortcuts("h")).toEqual(["hello", "hours", "shipping"]);
    expect(shortcuts("s")).toEqual(["shipping", "address", "hours", "price-list"]);
    expect(shortcuts("open")).toEqual(["hours", "shipping"]);
    expect(shortcuts("hours")).toEqual(["hours", "shipping"]);
    expect(shortcuts("list")).toEqual(["price-list"]);
  });

  it("matches case-insensitively and needs every word of a text search", () => {
    expect(shortcuts("HOURS")).toEqual(["hours", "shipping"]);
    expect(shortcuts("monday friday")).toEqual(["hours"]);
    expect(shortcuts("monday sunday")).toEqual([]);
    expect(shortcuts("  lisbon ")).toEqual(["address"]);
  });

  it("returns nothing when nothing matches, and never changes its input", () => {
    const before = replies.map((r) => r.id);
    expect(shortcuts("zzz")).toEqual([]);
    expect(filterQuickReplies([], "")).toEqual([]);
    expect(replies.map((r) => r.id)).toEqual(before);
  });
});

describe("moveActive", () => {
  it("moves down and up, wrapping at both ends", () => {
    expect(moveActive(0, 1, 3)).toBe(1);
    expect(moveActive(2, 1, 3)).toBe(0);
    expect(moveActive(0, -1, 3)).toBe(2);
    expect(moveActive(0, 1, 0)).toBe(0);
  });
});
