import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { signIn } from "./helpers";

// Drip templates in the console: per-segment values, a template written with a live preview that renders
// its variables and warns on an unknown one, bound to an approved Meta template (fake Graph), saved,
// edited into a second revision and restored to the first.
const NUMBER = { label: "Templates line", phone: "+1 555 078 8001", phoneNumberId: "106540352248001", wabaId: "102290129348001", token: "EAAG-templates-8a8a" };
const CONTENT = "{{first_name}}, {{instructor_name}} is waiting for you at the open lesson!";
// a workspace of its own, written before its server starts: no templates yet
const user = { email: "tara-admin@e2e-templates.test", password: "tara-password-42", name: "Tara Admin" };
test.use({ seed: { workspaces: [{ organisation: "Templates Co", users: [{ ...user, role: "admin" }] }] } });

async function choose(page: Page, combobox: string, option: string | RegExp) {
  await page.getByRole("combobox", { name: combobox }).click();
  await page.getByRole("option", { name: option }).click();
}

test.describe.serial("templates", () => {
  let templateUrl = "";

  test.beforeAll(async ({ browser, graph }) => {
    graph.addPhoneNumber({
      id: NUMBER.phoneNumberId,
      token: NUMBER.token,
      display_phone_number: NUMBER.phone,
      verified_name: "E2E Templates",
      quality_rating: "GREEN",
    });
    graph.addMessageTemplates(NUMBER.wabaId, NUMBER.token, [
      {
        name: "open_lesson_reminder",
        language: "en_US",
        category: "MARKETING",
        components: [{ type: "BODY", text: "Hi {{1}}! {{2}} is expecting you at the open lesson." }],
      },
      {
        name: "promo_with_image",
        language: "en_US",
        components: [
          { type: "HEADER", format: "IMAGE" },
          { type: "BODY", text: "Look!" },
        ],
      },
    ]);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, user.email, user.password);
    const res = await context.request.post("/api/v1/numbers", {
      data: {
        provider: "cloud",
        label: NUMBER.label,
        phoneE164: NUMBER.phone,
        phoneNumberId: NUMBER.phoneNumberId,
        wabaId: NUMBER.wabaId,
        accessToken: NUMBER.token,
        appSecret: "e2e-templates-secret",
      },
    });
    expect(res.status(), await res.text()).toBe(201);
    await context.close();
  });

  test("the empty list explains the drip, and a manager sets a value per segment", async ({ page }) => {
    await signIn(page, user.email, user.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Templates" }).click();
    await expect(page.getByRole("heading", { name: "Templates", level: 1 })).toBeVisible();
    await expect(page.getByText("No templates yet")).toBeVisible();
    await expect(page.getByText(/marks a lead .target and interested., it gets every active template/)).toBeVisible();

    await page.getByRole("link", { name: "Variables" }).click();
    await expect(page).toHaveURL(/\/templates\/variables$/);
    await expect(page.getByTestId("no-variables")).toBeVisible();
    await page.getByRole("button", { name: "Add a value" }).click();
    await expect(page.getByLabel("Segment, row 1")).toBeFocused();
    await expect(page.getByText("Enter the value")).toHaveCount(0);
    await page.getByLabel("Segment, row 1").fill("acting");
    await page.getByRole("textbox", { name: "Variable, row 1" }).fill("first_name");
    await page.getByRole("button", { name: "Save variables" }).click();
    await expect(page.getByText("This is a built-in variable: choose another name")).toBeVisible();
    await page.getByRole("textbox", { name: "Variable, row 1" }).fill("instructor_name");
    await page.getByRole("textbox", { name: "Value, row 1" }).fill("Kazbek Meretukov");
    await page.getByRole("button", { name: "Save variables" }).click();
    await expect(page.getByText("Variables saved")).toBeVisible();
    await page.reload();
    await expect(page.getByRole("textbox", { name: "Value, row 1" })).toHaveValue("Kazbek Meretukov");
  });

  test("a template is written with a live preview, bound to an approved Meta template and created", async ({ page, graph }) => {
    await signIn(page, user.email, user.password);
    await page.goto("/templates");
    await page.getByRole("link", { name: "New template" }).first().click();
    await expect(page).toHaveURL(/\/templates\/new$/);

    // inline errors before anything is sent
    await page.getByLabel("Name").fill("Day 1");
    await page.getByRole("button", { name: "Create template" }).click();
    await expect(page.getByText("Use lowercase letters, digits, _ and - only")).toBeVisible();
    await expect(page.getByText("Write the message")).toBeVisible();
    await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");

    await page.getByLabel("Name").fill("day1_acting");
    await page.getByLabel("Title").fill("Day 1: acting");
    await page.getByLabel("Days after").fill("1");
    await page.getByLabel("+ hours").fill("2");
    await expect(page.getByTestId("delay-summary")).toHaveText("Sent on Day 1 + 2 h.");
    await page.getByLabel("Segment").fill("acting");

    // no leads yet: the sample lead of the template's segment, with that segment's value
    const preview = page.getByTestId("template-preview");
    await expect(preview.getByRole("combobox", { name: "Preview for" })).toContainText("Sample lead: Anna Petrova · acting");
    await page.getByLabel("Text").fill(CONTENT);
    await expect(preview.getByTestId("preview-text")).toHaveText("Anna, Kazbek Meretukov is waiting for you at the open lesson!");
    await expect(page.getByTestId("content-length")).toHaveText(`${[...CONTENT].length} / 4,096 characters`);
    await expect(preview.getByTestId("preview-unknown")).toHaveCount(0);

    // an unknown variable is warned about, and left as written
    await page.getByLabel("Text").fill(`${CONTENT} Code: {{promo_code}}`);
    await expect(preview.getByTestId("preview-unknown")).toContainText("No value for {{promo_code}}");
    await expect(preview.getByTestId("preview-text")).toContainText("Code: {{promo_code}}");
    // another segment has no instructor: the preview warns for it too
    await page.getByLabel("Segment").fill("oratory");
    await expect(preview.getByTestId("preview-unknown")).toContainText("No value for {{instructor_name}}, {{promo_code}}");
    await page.getByLabel("Segment").fill("acting");
    await page.getByLabel("Text").fill(CONTENT);
    await expect(preview.getByTestId("preview-unknown")).toHaveCount(0);

    // insert a variable at the cursor with the keyboard
    await page.getByLabel("Text").press("End");
    await page.getByRole("group", { name: "Insert a variable" }).getByRole("button", { name: "{{phone}}" }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByLabel("Text")).toHaveValue(`${CONTENT}{{phone}}`);
    await page.getByLabel("Text").fill(CONTENT);

    // bind an approved Meta template for sends outside the 24-hour window
    const binding = page.getByTestId("meta-binding");
    await expect(binding).toContainText("Used outside the 24-hour window");
    await binding.getByRole("button", { name: "Load approved templates" }).click();
    await page.getByRole("combobox", { name: "Approved template" }).click();
    await expect(page.getByRole("option", { name: /promo_with_image.*cannot be used/ })).toBeDisabled();
    await page.getByRole("option", { name: "open_lesson_reminder · en_US" }).click();
    await expect(binding.getByTestId("meta-binding-current")).toContainText("open_lesson_reminder");
    await page.getByRole("button", { name: "Create template" }).click();
    await expect(binding.getByText("Enter a variable name, e.g. instructor_name").first()).toBeVisible();
    await choose(page, "Parameter {{1}}", "{{first_name}}");
    await choose(page, "Parameter {{2}}", "{{instructor_name}}");
    await expect(binding.getByTestId("meta-binding-body")).toHaveText("Hi {{first_name}}! {{instructor_name}} is expecting you at the open lesson.");
    const fetched = graph.requests.filter((r) => r.path === `/v24.0/${NUMBER.wabaId}/message_templates`);
    expect(fetched.at(-1)?.headers.authorization).toBe(`Bearer ${NUMBER.token}`);

    await page.getByRole("button", { name: "Create template" }).click();
    await expect(page).toHaveURL(/\/templates\/[0-9a-f-]{36}$/);
    templateUrl = new URL(page.url()).pathname;
    await expect(page.getByText("Revision 1", { exact: true }).first()).toBeVisible();
    await expect(page.getByTestId("revision")).toHaveCount(1);
    await expect(page.getByLabel("Text")).toHaveValue(CONTENT);

    // a second template with the same name is refused on its field
    await page.goto("/templates/new");
    await page.getByLabel("Name").fill("day1_acting");
    await page.getByLabel("Title").fill("Duplicate");
    await page.getByLabel("Text").fill("Hello");
    await page.getByRole("button", { name: "Create template" }).click();
    await expect(page.getByText("Another template already has this name")).toBeVisible();
    await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  });

  test("the list shows it; an edit makes revision 2, and restoring revision 1 makes revision 3", async ({ page }) => {
    await signIn(page, user.email, user.password);
    await page.goto("/templates");
    const row = page.getByTestId("template-row").filter({ hasText: "day1_acting" });
    await expect(row).toContainText("Day 1 + 2 h");
    await expect(row).toContainText("acting");
    await expect(row).toContainText("open_lesson_reminder");
    await expect(row.getByRole("switch", { name: "day1_acting active" })).toHaveAttribute("aria-checked", "true");

    await row.getByRole("link", { name: "day1_acting" }).click();
    await expect(page).toHaveURL(new RegExp(`${templateUrl}$`));
    await page.getByLabel("Text").fill("{{first_name}}, see you on Saturday!");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved as revision 2")).toBeVisible();
    await expect(page.getByTestId("revision")).toHaveCount(2);
    await expect(page.getByRole("listitem", { name: "Revision 2" })).toContainText("Current");
    await expect(page.getByRole("listitem", { name: "Revision 2" })).toContainText("Changed text");

    // saving again without a change writes nothing
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Nothing changed: no new revision")).toBeVisible();
    await expect(page.getByTestId("revision")).toHaveCount(2);

    await page.getByRole("button", { name: "Restore revision 1" }).click();
    await expect(page.getByText("Revision 1 restored as revision 3")).toBeVisible();
    await expect(page.getByTestId("revision")).toHaveCount(3);
    await expect(page.getByRole("listitem", { name: "Revision 3" })).toContainText("Restored revision 1");
    await expect(page.getByLabel("Text")).toHaveValue(CONTENT);

    const api = await (await page.request.get(`/api/v1${templateUrl}`)).json();
    expect(api).toMatchObject({
      name: "day1_acting",
      revision: 3,
      content: CONTENT,
      delayDays: 1,
      delayHours: 2,
      segment: "acting",
      metaTemplate: { name: "open_lesson_reminder", language: "en_US" },
    });

    // switched off from the list
    await page.goto("/templates");
    await page.getByRole("switch", { name: "day1_acting active" }).click();
    await expect(page.getByText("day1_acting is inactive: it is no longer sent")).toBeVisible();
    await expect(page.getByRole("switch", { name: "day1_acting active" })).toHaveAttribute("aria-checked", "false");
  });
});
