import { startFakeGreenApi } from "./fakes/fake-green-api";
import { expect, test } from "./fixtures";
import { ADMIN, MANAGER, MARKETER, SALES_LINE, chooseOwnPassword, dramaSchool, fakeSalesLine, signIn, signOut, submitSignIn } from "./helpers";

// the admin set the manager's password: she chooses her own at her first sign-in
const MANAGER_OWN_PASSWORD = "maya's own password 7";
const NUMBER = { id: SALES_LINE.phoneNumberId, token: SALES_LINE.token, waba: SALES_LINE.wabaId, verifiedName: SALES_LINE.verifiedName };

// the admin and a marketer; the admin adds the manager, who connects the number
test.use({ seed: { workspaces: [dramaSchool("marketer")] } });

test.describe.serial("number connection", () => {
  test.beforeAll(async ({ graph }) => fakeSalesLine(graph));

  test("an admin adds a manager", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const res = await page.request.post("/api/v1/users", { data: { ...MANAGER, role: "manager" } });
    expect(res.status()).toBe(201);
  });

  test("a manager fixes inline errors, connects a Cloud API number and sees it connected", async ({ page, graph }) => {
    await submitSignIn(page, MANAGER.email, MANAGER.password);
    await chooseOwnPassword(page, MANAGER.password, MANAGER_OWN_PASSWORD);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Numbers" }).click();
    await page.getByRole("link", { name: "Connect a number" }).first().click();
    await expect(page).toHaveURL(/\/numbers\/new$/);

    await page.getByLabel("Label").fill("E2E sales line");
    await page.getByLabel(/^Phone number/).fill("+7 900");
    await page.getByLabel("Phone Number ID").fill("10654abc");
    await page.getByLabel("WhatsApp Business Account ID").fill(NUMBER.waba);
    await page.getByLabel("App secret").fill(SALES_LINE.appSecret);
    await page.getByRole("button", { name: "Connect and test" }).click();
    await expect(page.getByText("Not a valid number for Russia: it is too short")).toBeVisible();
    await expect(page.getByText("The Phone Number ID has digits only")).toBeVisible();
    await expect(page.getByText("Enter the access token")).toBeVisible();
    await expect(page.getByLabel("Phone Number ID")).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/numbers\/new$/);

    await page.getByLabel(/^Phone number/).fill("+1 555 078-3881");
    await expect(page.getByText("Saved as +15550783881")).toBeVisible();
    await page.getByLabel("Phone Number ID").fill(NUMBER.id);
    await page.getByLabel("Access token").fill(NUMBER.token);
    await expect(page.getByText("Enter the access token")).toHaveCount(0);
    await page.getByRole("button", { name: "Connect and test" }).click();

    await expect(page).toHaveURL(/\/numbers\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("number-status")).toHaveText("Connected");
    await expect(page.getByTestId("verified-name")).toHaveText(NUMBER.verifiedName);
    await expect(page.getByTestId("callback-url")).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/api\/webhooks\/whatsapp$/);
    await expect(page.getByTestId("verify-token")).toHaveText(/^[A-Za-z0-9_-]{32}$/);
    await expect(page.getByTestId("webhook-indicator")).toHaveText(/Waiting for the first webhook/);
    const checks = graph.requests.filter((r) => r.path === `/v24.0/${NUMBER.id}`);
    expect(checks.at(-1)?.headers.authorization).toBe(`Bearer ${NUMBER.token}`);

    // the secret never comes back: only its hint, in the page and in the edit form
    expect(await page.content()).not.toContain(NUMBER.token);
    await expect(page.getByText("•••• 1a2b")).toBeVisible();
    await page.getByRole("link", { name: "Edit" }).click();
    await expect(page.getByTestId("accessToken-hint")).toHaveText("•••• 1a2b");
    expect(await page.content()).not.toContain(NUMBER.token);

    // the list shows it connected, with its verified name and tier
    await page.goto("/numbers");
    const row = page.getByTestId("number-row").filter({ hasText: "E2E sales line" });
    await expect(row.getByTestId("number-status")).toHaveText("Connected");
    await expect(row).toContainText(NUMBER.verifiedName);
    await expect(row).toContainText("1K / 24 h");
  });

  test("a failing test shows Graph's error verbatim with a hint, and a number can be deactivated", async ({ page, graph }) => {
    graph.failObject(NUMBER.id, { status: 401, code: 190, subcode: 463, message: "Error validating access token: Session has expired." });
    await signIn(page, MANAGER.email, MANAGER_OWN_PASSWORD);
    await page.goto("/numbers");
    await page.getByRole("link", { name: "E2E sales line", exact: true }).click();
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(page.getByTestId("number-status")).toHaveText("Error");
    const error = page.getByTestId("connection-error");
    await expect(error).toContainText("Error validating access token: Session has expired.");
    await expect(error).toContainText("190");
    await expect(error).toContainText("463");
    await expect(error).toContainText(/fbtrace_id\s*AFakeTrace/);
    await expect(error).toContainText("The access token has expired or was revoked");

    await page.getByRole("button", { name: "Deactivate" }).click();
    await expect(page.getByTestId("number-status")).toHaveText("Inactive");
    await expect(page.getByText("This number is inactive")).toBeVisible();
    await page.getByRole("button", { name: "Reactivate" }).click();
    await expect(page.getByTestId("number-status")).toHaveText("Error");
  });

  test("a marketer sees the list read-only and cannot open the form", async ({ page }) => {
    await signIn(page, MARKETER.email, MARKETER.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Numbers" }).click();
    await expect(page.getByRole("heading", { name: "Numbers", level: 1 })).toBeVisible();
    await expect(page.getByTestId("number-row").filter({ hasText: "E2E sales line" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Connect a number" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "E2E sales line", exact: true })).toHaveCount(0);
    expect((await page.goto("/numbers/new"))?.status()).toBe(403);
    const api = await page.request.post("/api/v1/numbers", { data: {} });
    expect(api.status()).toBe(403);
    await signOut(page);
  });

  test("an admin copies a Green API number's webhook URL and token and rotates it; a manager sees the URL only", async ({ page }) => {
    const green = await startFakeGreenApi();
    const instance = { id: "1101990401", token: "green-e2e-instance-token", state: "authorized" };
    green.addInstance(instance);
    try {
      await signIn(page, ADMIN.email, ADMIN.password);
      const created = await page.request.post("/api/v1/numbers", {
        data: {
          provider: "green",
          label: "E2E Green line",
          phoneE164: "+79005550404",
          greenApiUrl: green.url,
          greenInstanceId: instance.id,
          greenApiToken: instance.token,
        },
      });
      expect(created.status(), await created.text()).toBe(201);
      const id: string = (await created.json()).number.id;
      expect(await created.text()).not.toMatch(/webhookToken|greenWebhook/i);

      await page.goto(`/numbers/${id}`);
      await expect(page.getByTestId("green-webhook-url")).toHaveText(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/api/webhooks/green/${id}$`));
      const token = (await page.getByTestId("green-webhook-token").textContent())!;
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      await expect(page.getByRole("button", { name: "Copy webhook url token" })).toBeVisible();
      await expect(page.getByTestId("webhook-indicator")).toHaveText(/Waiting for the first webhook/);

      // what Green API sends: the token as a bearer
      const notification = (idMessage: string) => ({
        typeWebhook: "incomingMessageReceived",
        instanceData: { idInstance: Number(instance.id), wid: "79005550404@c.us", typeInstance: "whatsapp" },
        timestamp: Math.floor(Date.now() / 1000),
        idMessage,
        senderData: { chatId: "79005550405@c.us", sender: "79005550405@c.us", senderName: "Green Reader", chatName: "Green Reader" },
        messageData: { typeMessage: "textMessage", textMessageData: { textMessage: "Hello from Green API" } },
      });
      const deliver = (tokenUsed: string, idMessage: string) =>
        page.request.post(`/api/webhooks/green/${id}`, { data: notification(idMessage), headers: { authorization: `Bearer ${tokenUsed}` } });
      expect((await deliver(token, "E2EGREEN0001")).status()).toBe(200);
      await expect(page.getByTestId("webhook-indicator")).toHaveText(/Last webhook received/, { timeout: 15_000 });

      await page.getByRole("button", { name: "Rotate" }).click();
      await page.getByRole("alertdialog").getByRole("button", { name: "Rotate" }).click();
      await expect(page.getByTestId("green-webhook-token")).not.toHaveText(token);
      expect((await deliver(token, "E2EGREEN0002")).status()).toBe(401);
      const rotated = (await page.getByTestId("green-webhook-token").textContent())!;
      expect((await deliver(rotated, "E2EGREEN0002")).status()).toBe(200);
      await signOut(page);

      await signIn(page, MANAGER.email, MANAGER_OWN_PASSWORD);
      await page.goto(`/numbers/${id}`);
      await expect(page.getByTestId("green-webhook-url")).toBeVisible();
      await expect(page.getByText("The webhook URL token is a secret: an admin can see, copy and rotate it here.")).toBeVisible();
      await expect(page.getByTestId("green-webhook-token")).toHaveCount(0);
      expect(await page.content()).not.toContain(rotated);
    } finally {
      await green.close();
    }
  });
});
