import { expect, test } from "./fixtures";
import { ADMIN, dramaSchool, signIn } from "./helpers";

// The managers' Telegram bot over real HTTP, with the Bot API played on loopback: an admin pastes the token in
// Settings, the card gives a one-time /link command, the command sent in the managers' group links it (the card
// shows the group without a reload), a new lead is posted there with its details and a Called button, and the
// call flow pressed in Telegram (Called → Target and interested? → No) edits the message to the outcome and shows
// on the lead's page with who pressed it.
const GROUP = { id: -100200300, type: "group" as const, title: "Drama school managers" };
const MAYA = { id: 777001, first_name: "Maya", username: "maya_calls" };

test.use({ seed: { workspaces: [dramaSchool()] } });

test("the bot posts a new lead to the linked group, and the call flow pressed there is recorded", async ({ page, app }) => {
  const tg = app.telegram;
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/settings");
  await page.getByLabel("Bot token").fill(tg.token);
  await page.getByRole("button", { name: "Connect bot" }).click();
  const command = page.getByTestId("telegram-command");
  await expect(command).toHaveText(/^\/link \S+$/);
  expect(tg.webhook?.url).toBe(`${app.url}/api/telegram/${tg.webhook!.url.split("/").at(-1)}`);
  expect(tg.webhook?.secret_token).toBeTruthy();

  // the command sent in the group links it: the card follows without a reload
  const link = await tg.sendText(GROUP, MAYA, (await command.textContent())!.trim());
  expect(link.status).toBe(200);
  await expect(page.getByTestId("telegram-chat")).toContainText(GROUP.title, { timeout: 15_000 });
  await expect.poll(() => tg.callsOf("sendMessage").some((c) => String(c.body.text).includes("Connected"))).toBe(true);

  // a lead from the website form is posted to the group with a Called button
  const created = await page.request.post("/api/v1/leads", {
    data: { name: "Tanya Telegram", phone: "+7 900 555-01-02", segment: "acting", source: "website" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const leadId = ((await created.json()) as { id: string }).id;
  const notice = async () => [...tg.messages.values()].find((m) => m.text.includes("Tanya Telegram"));
  await expect.poll(async () => (await notice())?.reply_markup?.inline_keyboard[0]?.[0]?.text, { timeout: 15_000 }).toBe("📞 Called");
  const message = (await notice())!;
  expect(message.chat_id).toBe(String(GROUP.id));
  expect(message.text).toContain("acting");

  // Called → the question; No → the outcome, buttons gone
  expect((await tg.press(GROUP, MAYA, message.message_id, message.reply_markup!.inline_keyboard[0]![0]!.callback_data)).status).toBe(200);
  await expect.poll(async () => (await notice())?.text ?? "").toContain("Target and interested?");
  const no = (await notice())!.reply_markup!.inline_keyboard.flat().find((b) => b.text.includes("No") && !b.text.includes("answer"))!;
  expect((await tg.press(GROUP, MAYA, message.message_id, no.callback_data)).status).toBe(200);
  await expect.poll(async () => (await notice())?.text ?? "").toContain("Not target");
  expect((await notice())!.text).toContain("maya_calls");
  expect((await notice())!.reply_markup?.inline_keyboard.flat() ?? []).toHaveLength(0);

  await page.goto(`/leads/${leadId}`);
  await expect(page.getByText("Recorded in Telegram")).toBeVisible();
  await expect(page.getByText(/Not target by .*maya_calls/)).toBeVisible();
});
