import type { APIRequestContext, Page } from "@playwright/test";
import { type FakeGreenApi, startFakeGreenApi } from "./fakes/fake-green-api";
import { type FakeSends, serveGreenSendMessage } from "./fakes/fake-senders";
import { expect, test } from "./fixtures";
import { signIn } from "./helpers";

// The queue monitor: a lead marked target gets its drip rows (a Green API number on a fake started here:
// the number carries its own API URL), the page shows them with live counts, Run now sends the due one
// (seen in Recent sends with the provider's message id), and a row is cancelled (not a failure), queued again, fails with the
// provider's answer, and the lead's pending rows are cancelled at once.
const RUN = Date.now().toString(36);
const digits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, "0");
const INSTANCE = { id: `1101${digits(6)}`, token: `green-token-${RUN}` };
const NUMBER = { label: `Queue line ${RUN}`, phone: `+1650555${digits(4)}` };
const LEAD = { name: `Quinn Queue ${RUN}`, phone: `+1650555${digits(4)}`, segment: `queue-e2e-${RUN}` };
const WELCOME = `q10-welcome-${RUN}`;
const DAY3 = `q10-day3-${RUN}`;

// a workspace of its own, written before its server starts: the queue starts empty
const user = { email: "quinn-admin@e2e-queue.test", password: "quinn-password-42", name: "Quinn Admin" };
test.use({ seed: { workspaces: [{ organisation: "Queue Co", users: [{ ...user, role: "admin" }] }] } });

async function post(api: APIRequestContext, path: string, data: Record<string, unknown>, status = 201) {
  const res = await api.post(path, { data });
  expect(res.status(), await res.text()).toBe(status);
  return res.json();
}

test.describe.serial("queue monitor", () => {
  let green: FakeGreenApi;
  let sends: FakeSends;
  let leadId = "";

  test.beforeAll(async () => {
    green = await startFakeGreenApi();
    green.addInstance({ id: INSTANCE.id, token: INSTANCE.token, state: "authorized" });
    sends = serveGreenSendMessage(green, { [INSTANCE.id]: INSTANCE.token });
  });
  test.afterAll(async () => green.close());

  const open = async (page: Page, path: string) => {
    await signIn(page, user.email, user.password);
    await page.goto(path);
    await expect(page.getByRole("heading", { name: "Queue", level: 1 })).toBeVisible();
  };
  const row = (page: Page, template: string) => page.getByTestId("queue-row").filter({ hasText: template });

  test("a lead marked target shows its pending messages, the counts and the due one", async ({ page }) => {
    await signIn(page, user.email, user.password);
    // the empty queue says what fills it and how it is drained
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Queue" }).click();
    const empty = page.getByTestId("queue-empty");
    await expect(empty).toContainText("target and interested");
    await expect(empty).toContainText("GET /api/cron/drip");
    await expect(empty.getByRole("link", { name: "Go to leads" })).toHaveAttribute("href", "/leads");
    await expect(empty.getByRole("link", { name: "Templates" })).toHaveAttribute("href", "/templates");

    const api = page.request;
    const number = await post(api, "/api/v1/numbers", {
      provider: "green",
      label: NUMBER.label,
      phoneE164: NUMBER.phone,
      greenApiUrl: green.url,
      greenInstanceId: INSTANCE.id,
      greenApiToken: INSTANCE.token,
    });
    const numberId: string = number.number.id;
    await post(api, "/api/v1/templates", {
      name: WELCOME,
      title: "Welcome",
      content: "Hi {{first_name}}, welcome to the {{course}} course!",
      delayDays: 0,
      segment: LEAD.segment,
    });
    await post(api, "/api/v1/templates", { name: DAY3, title: "Day 3", content: "{{first_name}}, how is it going?", delayDays: 3, segment: LEAD.segment });
    const lead = await post(api, "/api/v1/leads", { name: LEAD.name, phone: LEAD.phone, segment: LEAD.segment, numberId });
    leadId = lead.id;
    const res = await api.patch(`/api/v1/leads/${leadId}`, { data: { isTarget: true } });
    expect(res.status(), await res.text()).toBe(200);
    expect((await res.json()).queued).toBe(2);

    const polled = page.waitForResponse((r) => r.url().includes(`/api/v1/queue/stats?leadId=${leadId}`) && r.status() === 200);
    await page.goto(`/queue?leadId=${leadId}`);
    await expect(page.getByRole("heading", { name: "Queue", level: 1 })).toBeVisible();
    await expect(page.getByTestId("lead-filter")).toContainText(LEAD.name);
    await expect(page.getByTestId("lead-filter").getByRole("link", { name: LEAD.name, exact: true })).toHaveAttribute("href", `/leads/${leadId}`);
    await expect(page.getByRole("link", { name: `Show every lead, not only ${LEAD.name}` })).toHaveAttribute("href", "/queue");
    await expect(page.getByRole("navigation", { name: "Queue views" }).getByRole("link", { name: /Pending/ })).toHaveAttribute("aria-current", "page");

    // next due first: the day-0 message (due now), then day 3
    const rows = page.getByTestId("queue-row");
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toContainText(WELCOME);
    await expect(rows.nth(0)).toContainText(/due .*ago|due now/);
    await expect(rows.nth(0)).toContainText(NUMBER.label);
    await expect(rows.nth(1)).toContainText(DAY3);
    await expect(rows.nth(1)).toContainText("in 3 days");
    await expect(page.getByTestId("count-pending")).toContainText("2");
    await expect(page.getByTestId("count-sent")).toContainText("0");
    await expect(page.getByTestId("due-now")).toContainText("1");
    await expect(page.getByTestId("oldest-due")).toContainText(/\d+ (s|min)/);

    // the figures are polled from the stats route, for this lead
    const stats = await (await polled).json();
    expect(stats.counts).toMatchObject({ pending: 2, sent: 0 });
    expect(stats.dueNow).toBe(1);

    // the template filter narrows the list and the figures, and stays in the URL
    await page.getByRole("combobox", { name: "Template" }).click();
    await page.getByRole("option", { name: DAY3 }).click();
    await expect(page).toHaveURL(/templateId=[0-9a-f-]{36}/);
    await expect(rows).toHaveCount(1);
    await expect(rows.nth(0)).toContainText(DAY3);
    await expect(page.getByTestId("count-pending")).toContainText("1");
    await expect(page.getByTestId("due-now")).toContainText("0");
  });

  test("Run now sends the due message and it moves to Recent sends", async ({ page }) => {
    await open(page, `/queue?leadId=${leadId}`);
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(page.getByText(/Run finished: \d+ claimed, [1-9]\d* sent, \d+ skipped, \d+ failed, \d+ retried, \d+ cancelled/)).toBeVisible({
      timeout: 30_000,
    });

    const mine = sends.sends.filter((s) => s.sender === INSTANCE.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toMatchObject({ chatId: `${LEAD.phone.slice(1)}@c.us`, message: `Hi Quinn, welcome to the ${LEAD.segment} course!` });

    // the list and the counts follow without a reload
    await expect(page.getByTestId("queue-row")).toHaveCount(1);
    await expect(page.getByTestId("count-sent")).toContainText("1");
    await expect(page.getByTestId("count-pending")).toContainText("1");
    await expect(page.getByTestId("due-now")).toContainText("0");
    await expect(page.getByTestId("oldest-due")).toContainText("Nothing due");
    await expect(page.getByTestId("sends-chart")).toHaveAttribute("data-total", "1");

    await page
      .getByRole("navigation", { name: "Queue views" })
      .getByRole("link", { name: /Recent sends/ })
      .click();
    await expect(page).toHaveURL(/status=sent/);
    const sent = row(page, WELCOME);
    await expect(sent).toHaveAttribute("data-status", "sent");
    await expect(sent.getByTestId("provider-message-id")).toHaveText(mine[0]!.id);
    await expect(sent).toContainText(`Hi Quinn, welcome to the ${LEAD.segment} course!`);
    await expect(sent.getByTestId("delivered-at")).toHaveText("—");
    await expect(page.getByTestId("queue-row")).toHaveCount(1);
  });

  test("a pending message is cancelled (not a failure), queued again, fails with the provider's answer, and the lead's queue is cancelled at once", async ({
    page,
  }) => {
    await open(page, `/queue?leadId=${leadId}&status=pending`);
    await row(page, DAY3)
      .getByRole("button", { name: `Cancel ${DAY3} to ${LEAD.name}` })
      .click();
    await expect(page.getByText("Cancelled: this message will not be sent.")).toBeVisible();
    await expect(page.getByTestId("queue-view-empty")).toContainText("Nothing pending");
    await expect(page.getByTestId("count-cancelled")).toContainText("1");

    // a manager's cancellation is not a failure: the Failures view and the Failed figure leave it out, and it is
    // offered "Queue again", not Retry
    const views = page.getByRole("navigation", { name: "Queue views" });
    await views.getByRole("link", { name: /Failures/ }).click();
    await expect(page.getByTestId("queue-view-empty")).toContainText("No failures");
    await expect(page.getByTestId("count-failed")).toContainText("0");
    await views.getByRole("link", { name: /Cancelled/ }).click();
    await expect(page).toHaveURL(/status=cancelled/);
    const cancelled = row(page, DAY3);
    await expect(cancelled.getByTestId("queue-status")).toHaveText("Cancelled");
    await expect(cancelled.getByTestId("error-code")).toHaveText("cancelled_by_user");
    await expect(cancelled).toContainText("Cancelled by a manager");
    await expect(cancelled).toContainText("Cancelled from the queue monitor");
    await expect(cancelled.getByRole("button", { name: /^Retry/ })).toHaveCount(0);
    await cancelled.getByRole("button", { name: `Queue again ${DAY3} to ${LEAD.name}` }).click();
    await expect(page.getByText("Queued again: it is due now and goes out on the next run.")).toBeVisible();
    await expect(page.getByTestId("queue-view-empty")).toContainText("Nothing cancelled");
    await expect(page.getByTestId("due-now")).toContainText("1");

    // the provider refuses it: failed, with Green API's code, message and answer
    sends.script({ status: 400, json: { message: "Validation failed. Details: 'chatId' is not a valid number" } });
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(page.getByText(/Run finished: .*[1-9]\d* failed/)).toBeVisible({ timeout: 30_000 });
    await views.getByRole("link", { name: /Failures/ }).click();
    await expect(page).toHaveURL(/status=failures/);
    await expect(views.getByRole("link", { name: /Failures/ })).toContainText("1");
    await expect(page.getByTestId("count-failed")).toContainText("1");
    const failed = row(page, DAY3);
    await expect(failed.getByTestId("queue-status")).toHaveText("Failed");
    await expect(failed.getByTestId("error-code")).toHaveText("http_400");
    await expect(failed).toContainText("The provider refused the request");
    await expect(failed).toContainText("Green API answered HTTP 400: Validation failed.");
    await expect(failed.getByTestId("provider-response")).toBeHidden();
    await failed.getByText("Provider response", { exact: true }).click();
    await expect(failed.getByTestId("provider-response")).toContainText(`"message": "Validation failed. Details: 'chatId' is not a valid number"`);
    await page
      .getByRole("link", { name: /^Failed/ })
      .filter({ hasText: "(1)" })
      .click();
    await expect(page).toHaveURL(/status=failed/);
    await expect(page.getByTestId("queue-row")).toHaveCount(1);

    // back in the queue, then every pending message of the lead cancelled after a confirmation
    await row(page, DAY3)
      .getByRole("button", { name: /^Retry/ })
      .click();
    await expect(page.getByText("Back in the queue: it is due now and goes out on the next run.").last()).toBeVisible();
    await expect(page.getByTestId("count-pending")).toContainText("1");
    await page.getByRole("button", { name: "Cancel all for this lead" }).click();
    const dialog = page.getByRole("alertdialog");
    await expect(dialog).toContainText(`Cancel all pending messages for ${LEAD.name}?`);
    await expect(dialog).toContainText("1 pending message will not be sent");
    await dialog.getByRole("button", { name: "Cancel all" }).click();
    await expect(page.getByText(`Cancelled 1 pending message for ${LEAD.name}.`)).toBeVisible();
    await expect(page.getByTestId("count-pending")).toContainText("0");
    await expect(page.getByTestId("count-cancelled")).toContainText("1");
    await expect(page.getByRole("button", { name: "Cancel all for this lead" })).toBeDisabled();
    expect(sends.sends.filter((s) => s.sender === INSTANCE.id)).toHaveLength(1);
  });
});
