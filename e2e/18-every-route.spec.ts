import AxeBuilder from "@axe-core/playwright";
import type { Page, Route } from "@playwright/test";
import { metaAudiences, webhookEndpoints } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto";
import { E2E_SECRETS } from "./app-server";
import { expect, test } from "./fixtures";
import { ADMIN, dramaSchool, signIn } from "./helpers";

// Every console route, on the demo data, at a laptop's, a small laptop's and a phone's width: the document is
// never wider than the window (a table scrolls inside its card, a long id or JSON wraps or scrolls in its own
// box), the page logs no error (React's hydration error #418 included), and axe finds nothing serious or
// critical. Then what the shell promises: a drawer menu on phones, one nav item lit, progress at once on a
// click, and forms a keyboard alone can fill in.

const ENDPOINT_ID = "7d0c6b1e-5a0f-4c7e-9a3d-18e0f2b4c601";
const AUDIENCE_ID = "2f4a9c3e-8b1d-4e6f-a7c2-90d3e5f1b802";
// long, unbroken values: what used to push pages sideways
const LONG_URL = `https://hooks.example-crm.test/clicktrail/inbound/${"a1b2c3d4e5f6".repeat(8)}?token=${"z9y8x7".repeat(10)}`;
const LONG_ERROR = `(#100) Invalid parameter: error_user_msg=${"The audience could not be updated because the ad account was restricted ".repeat(3)}fbtrace_id=${"AbCdEf0123456789".repeat(5)}`;

test.use({
  seed: {
    workspaces: [
      {
        ...dramaSchool("manager", "marketer"),
        demoData: true,
        seed: async (db, tenantId) => {
          await db.insert(webhookEndpoints).values({
            id: ENDPOINT_ID,
            tenantId,
            url: LONG_URL,
            description: "CRM: every new subscriber and conversion",
            eventTypes: ["subscriber.created", "conversion.sent"],
            secretEnc: encryptSecret("whsec_e2e_every_route", E2E_SECRETS.ENCRYPTION_KEY),
          });
          await db.insert(metaAudiences).values({
            id: AUDIENCE_ID,
            tenantId,
            adAccountId: "1234567890123456",
            audienceId: "120210000000000001",
            name: "Ad clickers, Moscow — acting course, warm and hot leads of the last ninety days",
            segment: { source: "ad", score: "hot" },
            syncStatus: "error",
            lastError: LONG_ERROR,
            lastErrorHint: "Check that the ad account is active and the token's user can manage its audiences.",
            lastErrorAt: new Date(),
          });
        },
      },
    ],
  },
});

const WIDTHS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
  { width: 390, height: 844 },
] as const;

const STATIC_ROUTES = [
  "/dashboard",
  "/inbox",
  "/inbox/quick-replies",
  "/subscribers",
  "/attribution",
  "/attribution/ads",
  "/conversions",
  "/conversions/test",
  "/leads",
  "/leads/new",
  "/templates",
  "/templates/new",
  "/templates/variables",
  "/queue",
  "/queue?view=failed",
  "/numbers",
  "/numbers/new",
  "/webhooks",
  "/api-docs",
  "/settings",
  "/settings/audiences",
  "/settings/audiences/new",
  `/settings/audiences/${AUDIENCE_ID}`,
  "/settings/webhooks",
  `/settings/webhooks/${ENDPOINT_ID}`,
  "/account",
];

/** The first link on `list` to a page matching `pattern`: a real id of the demo data. */
async function firstLink(page: Page, list: string, pattern: RegExp): Promise<string> {
  await page.goto(list);
  let href: string | undefined;
  // a list behind a loading skeleton streams in after the document's first bytes
  await expect
    .poll(
      async () => {
        const hrefs = await page.locator("main a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
        href = hrefs.find((h) => pattern.test(h));
        return href;
      },
      { message: `a link matching ${pattern} on ${list}`, timeout: 15_000 },
    )
    .toBeTruthy();
  return href!;
}

let routes: string[] | undefined;

/** Every route, the dynamic ones with an id found on their list page (once per run). */
async function allRoutes(page: Page): Promise<string[]> {
  if (routes) return routes;
  const uuid = "[0-9a-f-]{36}";
  const number = await firstLink(page, "/numbers", new RegExp(`^/numbers/${uuid}$`));
  const user = await firstLink(page, "/settings", new RegExp(`^/settings/users/${uuid}$`));
  routes = [
    ...STATIC_ROUTES,
    await firstLink(page, "/subscribers", new RegExp(`^/subscribers/${uuid}$`)),
    await firstLink(page, "/conversions", new RegExp(`^/conversions/${uuid}$`)),
    await firstLink(page, "/leads", new RegExp(`^/leads/${uuid}$`)),
    await firstLink(page, "/templates", new RegExp(`^/templates/${uuid}$`)),
    await firstLink(page, "/webhooks", new RegExp(`^/webhooks/${uuid}$`)),
    number,
    `${number}/edit`,
    user,
  ];
  return routes;
}

/**
 * Errors the page logs from now on (console errors and uncaught exceptions). A resource of another site that
 * cannot load is not the page's error: the sandbox has no internet (Meta's ad creatives, for one).
 */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const source = msg.location().url;
    const foreign = !!source && new URL(source).origin !== new URL(page.url()).origin;
    if (foreign && msg.text().startsWith("Failed to load resource")) return;
    errors.push(`console: ${msg.text().slice(0, 300)}${source ? ` (${source.slice(0, 120)})` : ""}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message.slice(0, 300)}`));
  return errors;
}

/** Waits until the page has hydrated and settled (its client components mounted, fonts laid out). */
async function settle(page: Page) {
  await page.waitForLoadState("load");
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))));
  await page.waitForTimeout(250);
}

/**
 * The document's width beyond the window, and the elements that stick out: the outermost ones not inside
 * a box that scrolls or clips them (a wide table in an overflow-x-auto card is fine).
 */
async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    const culprits: { right: number; text: string }[] = [];
    if (scrollWidth > innerWidth) {
      const clipped = (el: Element) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const style = getComputedStyle(p);
          if (style.overflowX !== "visible" && p.getBoundingClientRect().right <= innerWidth + 1) return true;
        }
        return false;
      };
      const describe = (el: Element) => {
        const testId = el.getAttribute("data-testid");
        const slot = el.getAttribute("data-slot");
        const cls = typeof el.className === "string" ? el.className.split(/\s+/).slice(0, 4).join(".") : "";
        const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 60);
        return `<${el.tagName.toLowerCase()}${testId ? ` data-testid=${testId}` : ""}${slot ? ` data-slot=${slot}` : ""}${cls ? ` .${cls}` : ""}> "${text}"`;
      };
      for (const el of Array.from(document.body.querySelectorAll("*"))) {
        const rect = el.getBoundingClientRect();
        if (rect.width === 0 || rect.right <= innerWidth + 1 || clipped(el)) continue;
        // the outermost culprit: its parent fits (or is the body)
        const parent = el.parentElement;
        if (parent && parent !== document.body && parent.getBoundingClientRect().right > innerWidth + 1 && !clipped(parent)) continue;
        culprits.push({ right: Math.round(rect.right), text: `${describe(el)} right edge ${Math.round(rect.right)}px, ${Math.round(rect.width)}px wide` });
      }
    }
    culprits.sort((a, b) => b.right - a.right);
    return { scrollWidth, innerWidth, culprits: culprits.slice(0, 3).map((c) => c.text) };
  });
}

test.describe("every route", () => {
  for (const size of WIDTHS) {
    test(`fits ${size.width}×${size.height} with no error logged`, async ({ page }) => {
      test.setTimeout(240_000);
      await page.setViewportSize(size);
      await signIn(page, ADMIN.email, ADMIN.password);
      const all = await allRoutes(page);
      const errors = collectErrors(page);
      for (const route of all) {
        errors.length = 0;
        const res = await page.goto(route);
        expect.soft(res?.status(), `${route} answers`).toBe(200);
        await settle(page);
        const o = await overflow(page);
        expect
          .soft(o.scrollWidth, `${route} at ${size.width}px is ${o.scrollWidth}px wide; widest: ${o.culprits.join(" | ") || "?"}`)
          .toBeLessThanOrEqual(o.innerWidth);
        expect.soft(errors, `${route} at ${size.width}px logs no error`).toEqual([]);
      }
    });
  }

  test("the sign-in page fits every width and logs no error", async ({ page }) => {
    const errors = collectErrors(page);
    for (const size of WIDTHS) {
      await page.setViewportSize(size);
      await page.goto("/login");
      await settle(page);
      const o = await overflow(page);
      expect.soft(o.scrollWidth, `/login at ${size.width}px; widest: ${o.culprits.join(" | ")}`).toBeLessThanOrEqual(o.innerWidth);
    }
    expect(errors).toEqual([]);
    await expect(page.getByText("Enter your email and password to open the console.")).toBeVisible();
  });

  test("axe finds no serious or critical violation on any route", async ({ page }) => {
    test.setTimeout(300_000);
    await page.setViewportSize(WIDTHS[0]);
    const check = async (route: string) => {
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      const summary = bad.map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help} — ${v.nodes
            .map((n) => n.target.join(" "))
            .slice(0, 4)
            .join(", ")}`,
      );
      expect.soft(summary, `${route}: axe violations`).toEqual([]);
    };
    await page.goto("/login");
    await settle(page);
    await check("/login");
    await signIn(page, ADMIN.email, ADMIN.password);
    for (const route of await allRoutes(page)) {
      await page.goto(route);
      await settle(page);
      await check(route);
    }
  });
});

test.describe("the shell", () => {
  test("on a phone the navigation is a menu: focus stays inside, Escape closes it, a link closes it", async ({ page }) => {
    await page.setViewportSize(WIDTHS[2]);
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0); // no strip of links on a phone
    const menuButton = page.getByRole("button", { name: "Open menu" });
    await menuButton.click();
    const menu = page.getByRole("dialog", { name: /Clicktrail menu/ });
    await expect(menu).toBeVisible();
    await expect(menu.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
    // Tab cycles within the menu
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press("Tab");
      expect(await menu.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect(menu).toBeHidden();
    await expect(menuButton).toBeFocused();

    await menuButton.press("Enter");
    await expect(menu).toBeVisible();
    await menu.getByRole("link", { name: "Numbers" }).click();
    await expect(page).toHaveURL(/\/numbers$/);
    await expect(menu).toBeHidden();
    await menuButton.click();
    await expect(menu.getByRole("link", { name: "Numbers" })).toHaveAttribute("aria-current", "page");
  });

  test("one nav item is lit at a time", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const [route, section] of [
      ["/settings/webhooks", "Settings"],
      ["/settings/audiences", "Settings"],
      ["/webhooks", "Webhooks"],
      ["/inbox/quick-replies", "Inbox"],
      ["/subscribers", "Subscribers"],
    ] as const) {
      await page.goto(route);
      await expect(nav.locator("[aria-current=page]"), route).toHaveCount(1);
      await expect(nav.getByRole("link", { name: section }), route).toHaveAttribute("aria-current", "page");
    }
    await page.goto("/account");
    await expect(nav.locator("[aria-current=page]")).toHaveCount(0);
  });

  test("a click shows progress at once, until the page is there", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    // hold the next page's server render until the bar has been seen
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\/numbers(\?|$)/, async (route: Route) => {
      await held;
      await route.continue();
    });
    const bar = page.getByTestId("navigation-progress");
    await expect(bar).toHaveAttribute("data-state", "idle");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Numbers" }).click();
    await expect(bar).toHaveAttribute("data-state", "loading", { timeout: 1_000 });
    await expect(page.getByRole("progressbar", { name: "Loading page" })).toBeVisible();
    release();
    await expect(page).toHaveURL(/\/numbers$/);
    await expect(page.getByRole("heading", { level: 1, name: "Numbers" })).toBeVisible();
    await expect(bar).toHaveAttribute("data-state", "idle");
  });

  test("signing in takes the keyboard alone, with a visible focus ring", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByLabel("Email")).toBeFocused();
    await page.keyboard.type(ADMIN.email);
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Password")).toBeFocused();
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press("Tab");
    const submit = page.getByRole("button", { name: "Sign in" });
    await expect(submit).toBeFocused();
    expect(await hasFocusRing(page)).toBe(true);
    await page.getByLabel("Password").press("Enter");
    await expect(page).toHaveURL(/\/dashboard$/);
  });

  test("every control of the console's forms shows where the focus is", async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, ADMIN.email, ADMIN.password);
    for (const route of [
      "/leads/new",
      "/numbers/new",
      "/templates/new",
      "/conversions/test",
      "/settings",
      "/account",
      "/settings/audiences/new",
      "/inbox/quick-replies",
    ]) {
      await page.goto(route);
      await settle(page);
      await page.locator("main").focus();
      const seen = new Set<string>();
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        const id = await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body || !document.querySelector("main")?.contains(el)) return null;
          return `${el.tagName.toLowerCase()}#${el.id}[${el.getAttribute("name") ?? el.getAttribute("aria-label") ?? el.textContent?.trim().slice(0, 30)}]`;
        });
        if (id === null || seen.has(id)) break; // left the page's content, or came round again
        seen.add(id);
        expect.soft(await hasFocusRing(page), `${route}: ${id} shows its focus`).toBe(true);
      }
      expect(seen.size, `${route} has controls to reach by Tab`).toBeGreaterThan(0);
    }
  });

  test("a field shows one message at a time: its error replaces its description", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto("/account");
    const field = page.getByLabel("New password", { exact: true });
    const help = page.locator("#new-password-description");
    await expect(help).toBeVisible();
    await field.fill("short");
    await field.blur();
    const describedBy = await field.getAttribute("aria-describedby");
    expect(describedBy).toBe("new-password-error");
    await expect(help).toHaveCount(0);
    await expect(page.locator("#new-password-error")).toBeVisible();
  });

  test("the API reference renders on the server in under 300 ms", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const timed = async (url: string) => {
      const t0 = performance.now();
      const res = await page.request.get(url);
      await res.body();
      expect(res.status()).toBe(200);
      return performance.now() - t0;
    };
    // its introduction, and its heaviest tag (the inbox's twelve operations)
    for (const url of ["/api-docs", "/api-docs?tag=inbox"]) {
      await timed(url); // the first request of a server builds the document once
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push(await timed(url));
      times.sort((a, b) => a - b);
      expect.soft(times[2], `${url}: median of ${times.map((t) => Math.round(t)).join(", ")} ms`).toBeLessThan(300);
    }
    await page.goto("/api-docs");
    await page.getByRole("navigation", { name: "Operations" }).getByRole("link", { name: "Subscribers", exact: true }).click();
    await expect(page).toHaveURL(/\/api-docs\?tag=subscribers$/);
    await expect(page.getByRole("heading", { level: 2, name: "Subscribers" })).toBeVisible();
  });

  test("the console has a favicon and an app icon", async ({ page, request }) => {
    await page.goto("/login");
    const icon = page.locator('link[rel="icon"]');
    await expect(icon.first()).toHaveAttribute("href", /\/icon\.svg/);
    const apple = page.locator('link[rel="apple-touch-icon"]');
    await expect(apple).toHaveAttribute("href", /\/apple-icon/);
    const svg = await request.get((await icon.first().getAttribute("href"))!);
    expect(svg.status()).toBe(200);
    expect(svg.headers()["content-type"]).toContain("image/svg+xml");
    const png = await request.get((await apple.getAttribute("href"))!);
    expect(png.status()).toBe(200);
    expect(png.headers()["content-type"]).toBe("image/png");
    expect((await png.body()).subarray(1, 4).toString()).toBe("PNG");
  });

  test("the console installs as an app: its manifest names it and every icon it lists loads", async ({ page, request }) => {
    await page.goto("/login");
    const link = page.locator('link[rel="manifest"]');
    await expect(link).toHaveAttribute("href", /manifest\.webmanifest/);
    await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute("content", "#007a55");
    const res = await request.get((await link.getAttribute("href"))!);
    expect(res.status()).toBe(200);
    const manifest = (await res.json()) as { name: string; start_url: string; display: string; icons: { src: string; type: string }[] };
    expect(manifest).toMatchObject({ name: "Clicktrail", start_url: "/", display: "standalone" });
    expect(manifest.icons.length).toBeGreaterThanOrEqual(2);
    for (const icon of manifest.icons) {
      const file = await request.get(icon.src);
      expect(file.status(), icon.src).toBe(200);
      expect(file.headers()["content-type"], icon.src).toContain(icon.type);
    }
  });
});

/**
 * Whether the focused element shows its focus: its outline or ring (box-shadow), or its parent's, differs
 * from what the same element draws unfocused.
 */
async function hasFocusRing(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return false;
    const look = (node: Element | null) => {
      if (!node) return "";
      const s = getComputedStyle(node);
      return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} | ${s.boxShadow} | ${s.borderColor}`;
    };
    // no transitions while measuring: the computed style is then the state's own, not a frame of the fade
    const nodes = [el, el.parentElement].filter((n): n is HTMLElement => !!n);
    const before = nodes.map((n) => n.style.transition);
    nodes.forEach((n) => (n.style.transition = "none"));
    const focused = [look(el), look(el.parentElement)];
    el.blur();
    const unfocused = [look(el), look(el.parentElement)];
    el.focus();
    nodes.forEach((n, i) => (n.style.transition = before[i] ?? ""));
    return focused[0] !== unfocused[0] || focused[1] !== unfocused[1];
  });
}
