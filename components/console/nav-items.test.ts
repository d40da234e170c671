import { describe, expect, it } from "vitest";
import { activeNavHref, NAV_ITEMS } from "./nav-items";

const hrefs = NAV_ITEMS.map((i) => i.href);

describe("activeNavHref", () => {
  it("lights the section of a page and of the pages under it", () => {
    expect(activeNavHref("/subscribers", hrefs)).toBe("/subscribers");
    expect(activeNavHref("/subscribers/0b6f6e52-3c1e-4f0e-9d55-1d2f0f3c8a10", hrefs)).toBe("/subscribers");
    expect(activeNavHref("/inbox/quick-replies", hrefs)).toBe("/inbox");
  });

  it("lights Settings alone for its sub-pages named like other sections", () => {
    expect(activeNavHref("/settings/webhooks", hrefs)).toBe("/settings");
    expect(activeNavHref("/settings/webhooks/abc", hrefs)).toBe("/settings");
    expect(activeNavHref("/settings/audiences", hrefs)).toBe("/settings");
  });

  it("prefers the longest matching section", () => {
    expect(activeNavHref("/settings/webhooks/1", ["/settings", "/settings/webhooks", "/webhooks"])).toBe("/settings/webhooks");
  });

  it("matches whole path segments only", () => {
    expect(activeNavHref("/leadsboard", hrefs)).toBeNull();
    expect(activeNavHref("/account", hrefs)).toBeNull();
    expect(activeNavHref("/", hrefs)).toBeNull();
  });
});
