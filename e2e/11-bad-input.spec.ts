import type { APIRequestContext } from "@playwright/test";
import { storeWebhookEvent } from "../lib/whatsapp/store";
import { expect, test } from "./fixtures";
import { ADMIN, MARKETER, dramaSchool, signIn } from "./helpers";

// Bad input over real HTTP against `next start`: unknown ids answer 404 and pages a role may not see 403 as
// HTTP statuses (not a 200 with the not-found screen), and no malformed query string makes a list page or an
// export answer 500. The demo data gives every list rows; one stored webhook body nests 10,000 levels deep.
const DEEP = 10_000;
test.use({
  seed: {
    workspaces: [
      {
        ...dramaSchool("marketer"),
        demoData: true,
        seed: async (db, tenantId) => {
          const rawBody = `{"object":"whatsapp_business_account","entry":${"[".repeat(DEEP)}${"]".repeat(DEEP)}}`;
          // the newest event of the workspace, so the list's first row
          await storeWebhookEvent(db, {
            provider: "cloud",
            rawBody,
            signatureResult: "valid",
            tenantId,
            numberId: null,
            receivedAt: new Date(Date.now() + 86_400_000),
            status: "failed",
          });
        },
      },
    ],
  },
});

const UNKNOWN = "0b7e5f0e-6a4b-4c1d-9f7e-2d3c4b5a6978";
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

const status = async (api: APIRequestContext, path: string) => (await api.get(path, { maxRedirects: 0 })).status();
const firstId = async (api: APIRequestContext, list: string) => {
  const res = await api.get(`/api/v1/${list}?limit=1`);
  expect(res.status(), list).toBe(200);
  return ((await res.json()) as { rows: { id: string }[] }).rows[0]!.id;
};

/** Query strings no list hands out; each is appended to every list page and export. */
const BAD_QUERIES = [
  "cursor=garbage",
  "cursor=%00",
  `cursor=${b64({ t: 8.64e15 + 1, id: UNKNOWN })}`,
  `cursor=${b64({ t: Date.UTC(10000, 0, 1), id: UNKNOWN })}`,
  `cursor=${b64({ t: -62167219200000, id: UNKNOWN })}`,
  `cursor=${b64({ t: 1, id: "1; drop table users" })}`,
  `cursor=${b64({ d: 1e300, h: 0, n: "a\u0000" })}`,
  `cursor=${"A".repeat(4000)}`,
  "cursor=a&cursor=b",
  "from=0000-01-01&to=9999-12-31",
  "from=9999-12-31",
  "to=9999-12-31",
  "from=275760-09-13",
  "from=2026-02-30",
  "from=2030-02-01&to=2030-01-01",
  "q=%00",
  "q=ab%00cd",
  `q=${"x".repeat(5000)}`,
  "q=abc%5C",
  "segment=%00",
  "status=%00",
  "status=a&status=b",
  "limit=99999999999999999999",
  "limit=-1",
  "number=not-a-uuid&numberId=not-a-uuid",
  "campaign=%00&ad=%00",
];

const LIST_PAGES = [
  "/subscribers",
  "/conversions",
  "/leads",
  "/queue",
  "/templates",
  "/webhooks",
  "/numbers",
  "/attribution",
  "/attribution/ads",
  "/dashboard",
];
const EXPORTS = ["/api/v1/subscribers/export", "/api/v1/attribution?format=csv"];

test.describe.configure({ mode: "serial" });

test.describe("bad input answers 4xx, never 500", () => {
  test("unknown or malformed ids of every detail page answer 404, known ones 200", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const api = page.request;
    const known: Record<string, string> = {
      subscribers: await firstId(api, "subscribers"),
      conversions: await firstId(api, "conversions"),
      leads: await firstId(api, "leads"),
      webhooks: await firstId(api, "webhook-events"),
      numbers: await firstId(api, "numbers"),
      templates: await firstId(api, "templates"),
      "settings/users": await firstId(api, "users"),
    };
    for (const [base, id] of Object.entries(known)) {
      expect(await status(api, `/${base}/${id}`), `/${base}/${id}`).toBe(200);
      for (const bad of [UNKNOWN, "not-a-uuid", "%00"]) expect(await status(api, `/${base}/${bad}`), `/${base}/${bad}`).toBe(404);
    }
    expect(await status(api, `/numbers/${known.numbers}/edit`)).toBe(200);
    expect(await status(api, `/numbers/${UNKNOWN}/edit`)).toBe(404);
    expect(await status(api, "/no-such-page")).toBe(404);
  });

  test("a stored body nested 10,000 deep opens on its page, shown as received", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const id = await firstId(page.request, "webhook-events");
    const res = await page.goto(`/webhooks/${id}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByText(`nests more than 100 levels deep`)).toBeVisible();
    await expect(page.getByTestId("webhook-raw-body")).toContainText("[[[[");
  });

  test("pages a marketer may not see answer 403", async ({ page }) => {
    await signIn(page, MARKETER.email, MARKETER.password);
    const api = page.request;
    const webhook = ((await (await api.get("/api/v1/webhook-events?limit=1")).json()) as { rows: { id: string }[] }).rows[0]!.id;
    for (const path of [`/webhooks/${webhook}`, "/templates/new", "/leads/new", "/numbers/new", "/settings", `/numbers/${UNKNOWN}`]) {
      expect(await status(api, path), path).toBe(403);
    }
    expect(await status(api, "/webhooks")).toBe(200);
  });

  test("no malformed query string makes a list page answer 500; a bad cursor shows the first page and says so", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const failures: string[] = [];
    for (const path of LIST_PAGES) {
      for (const query of BAD_QUERIES) {
        const got = await status(page.request, `${path}?${query}`);
        if (got !== 200) failures.push(`${path}?${query.slice(0, 80)} → ${got}`);
      }
    }
    expect(failures).toEqual([]);

    await page.goto(`/subscribers?cursor=${b64({ t: Date.UTC(10000, 0, 1), id: UNKNOWN })}`);
    await expect(page.getByTestId("list-notice")).toContainText("first page");
    await expect(page.getByTestId("subscriber-row").first()).toBeVisible();
  });

  test("exports refuse malformed input with a JSON 4xx before the first byte, never a broken CSV", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const failures: string[] = [];
    for (const path of EXPORTS) {
      for (const query of BAD_QUERIES.filter((q) => !q.startsWith("cursor=") && !q.startsWith("limit="))) {
        const url = `${path}${path.includes("?") ? "&" : "?"}${query}`;
        const res = await page.request.get(url);
        const type = res.headers()["content-type"] ?? "";
        const ok =
          res.status() === 200 ? type.startsWith("text/csv") && (await res.text()).endsWith("\r\n") : res.status() < 500 && type.includes("application/json");
        if (!ok) failures.push(`${url.slice(0, 100)} → ${res.status()} ${type}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test("the API answers unknown paths and wrong methods in its JSON error shape, never Next's HTML", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    for (const [method, path] of [
      ["GET", "/api/v1/nothing"],
      ["POST", "/api/v1/numbers/x/unknown"],
      ["DELETE", "/api/v1/v2/leads"],
    ] as const) {
      const res = await page.request.fetch(path, { method });
      expect(res.status(), `${method} ${path}`).toBe(404);
      expect(res.headers()["content-type"]).toContain("application/json");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    const wrong = await page.request.fetch("/api/v1/dashboard", { method: "DELETE" });
    expect(wrong.status()).toBe(405);
    expect(wrong.headers()["allow"]).toBe("GET, HEAD");
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
    const options = await page.request.fetch("/api/v1/templates", { method: "OPTIONS" });
    expect([options.status(), options.headers()["allow"]]).toEqual([204, "GET, POST, HEAD, OPTIONS"]);
  });
});
