import { describe, expect, it } from "vitest";
import { dayLabel, filterQuery, formatTimeLeft, groupByDay, inboxHref, mapLink, splitLinks } from "./format";

const NOW = new Date(2026, 11, 7, 12, 0, 0).getTime();

describe("formatTimeLeft", () => {
  it("says how long the window stays open, or that it is closed", () => {
    expect(formatTimeLeft(null, NOW)).toBe("never opened");
    expect(formatTimeLeft(new Date(NOW - 1).toISOString(), NOW)).toBe("closed");
    expect(formatTimeLeft(new Date(NOW).toISOString(), NOW)).toBe("closed");
    expect(formatTimeLeft(new Date(NOW + 30_000).toISOString(), NOW)).toBe("under 1 min left");
    expect(formatTimeLeft(new Date(NOW + 12 * 60_000).toISOString(), NOW)).toBe("12 min left");
    expect(formatTimeLeft(new Date(NOW + 3 * 3_600_000).toISOString(), NOW)).toBe("3 h left");
    expect(formatTimeLeft(new Date(NOW + 23 * 3_600_000 + 5 * 60_000 + 59_000).toISOString(), NOW)).toBe("23 h 5 min left");
  });
});

describe("day grouping", () => {
  it("groups consecutive items by local day, keeping order", () => {
    const at = (d: number, h: number) => new Date(2026, 11, d, h).toISOString();
    const items = [
      { id: "a", at: at(5, 23) },
      { id: "b", at: at(6, 0) },
      { id: "c", at: at(6, 22) },
      { id: "d", at: at(7, 9) },
    ];
    const groups = groupByDay(items);
    expect(groups.map((g) => g.items.map((i) => i.id))).toEqual([["a"], ["b", "c"], ["d"]]);
    expect(groups.map((g) => g.day)).toEqual(["2026-12-05", "2026-12-06", "2026-12-07"]);
    expect(groupByDay([])).toEqual([]);
  });

  it("labels today, yesterday and older days", () => {
    expect(dayLabel(new Date(2026, 11, 7, 0, 1), NOW)).toBe("Today");
    expect(dayLabel(new Date(2026, 11, 6, 23, 59), NOW)).toBe("Yesterday");
    expect(dayLabel(new Date(2026, 11, 1, 10), NOW)).toBe("Tuesday, 1 December 2026");
    expect(dayLabel(new Date(2026, 11, 1, 10), NOW, "en-US")).toBe("Tuesday, December 1, 2026");
  });
});

describe("splitLinks", () => {
  it("keeps plain text as one text part", () => {
    expect(splitLinks("hello there")).toEqual([{ kind: "text", text: "hello there" }]);
    expect(splitLinks("")).toEqual([]);
  });

  it("makes http(s) and www links, leaving trailing punctuation as text", () => {
    expect(splitLinks("See https://example.com/a?b=1, or www.shop.kz.")).toEqual([
      { kind: "text", text: "See " },
      { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { kind: "text", text: ", or " },
      { kind: "link", text: "www.shop.kz", href: "https://www.shop.kz" },
      { kind: "text", text: "." },
    ]);
  });

  it("never produces HTML or a script link: markup stays text, javascript: is not a link", () => {
    const text = `<img src=x onerror=alert(1)> javascript:alert(1) <a href="https://evil.example">x</a>`;
    const parts = splitLinks(text);
    for (const p of parts) if (p.kind === "link") expect(p.href).toMatch(/^https?:\/\//);
    expect(parts.filter((p) => p.kind === "link").map((p) => p.href)).toEqual(["https://evil.example"]);
    // every character comes back as text or link text, in order: nothing is dropped or added
    expect(parts.map((p) => p.text).join("")).toBe(text);
  });

  it("skips a link without a real host", () => {
    expect(splitLinks("http://localhost now")).toEqual([{ kind: "text", text: "http://localhost now" }]);
  });
});

describe("inbox URLs", () => {
  it("keeps only set filters, leaving out the default assignee", () => {
    expect(filterQuery({ assigned: "anyone", unread: "true", q: "ana" })).toBe("unread=true&q=ana");
    expect(inboxHref({})).toBe("/inbox");
    expect(inboxHref({ assigned: "me" }, "c1")).toBe("/inbox?assigned=me&chat=c1");
    // "All" stays in the page URL (without it a member with assigned chats opens on Mine); the API needs no default
    expect(inboxHref({ assigned: "anyone", unread: "true" })).toBe("/inbox?unread=true&assigned=anyone");
  });

  it("links a location to OpenStreetMap", () => {
    expect(mapLink(43.2, 76.9)).toBe("https://www.openstreetmap.org/?mlat=43.2&mlon=76.9#map=16/43.2/76.9");
  });
});
