import { describe, expect, it } from "vitest";
import { quickReplyFormSchema } from "./quick-reply-form-schema";
import { quickReplyInputSchema } from "./quick-replies";

const cases: [string, { shortcut: string; text: string }][] = [
  ["a plain reply", { shortcut: "hours", text: "We are open 9–18." }],
  ["digits, _ and -", { shortcut: "price_list-2", text: "x" }],
  ["padded values", { shortcut: "  hours ", text: "  hi  " }],
  ["32 characters", { shortcut: "a".repeat(32), text: "x" }],
  ["33 characters", { shortcut: "a".repeat(33), text: "x" }],
  ["an empty shortcut", { shortcut: "", text: "x" }],
  ["a space inside", { shortcut: "open hours", text: "x" }],
  ["a slash", { shortcut: "/hours", text: "x" }],
  ["a blank text", { shortcut: "hours", text: "   " }],
  ["4096 characters", { shortcut: "hours", text: "x".repeat(4096) }],
  ["4097 characters", { shortcut: "hours", text: "x".repeat(4097) }],
];

describe("quickReplyFormSchema", () => {
  it.each(cases)("agrees with the domain's schema on %s", (_, input) => {
    const form = quickReplyFormSchema.safeParse(input);
    const domain = quickReplyInputSchema.safeParse(input);
    expect(form.success).toBe(domain.success);
    if (form.success && domain.success) expect(form.data).toEqual(domain.data);
  });

  it("names what is wrong with a shortcut", () => {
    const r = quickReplyFormSchema.safeParse({ shortcut: "open hours", text: "x" });
    expect(r.success ? null : r.error.issues[0]?.message).toBe("Only letters, digits, _ and - (no spaces or slash)");
  });
});
