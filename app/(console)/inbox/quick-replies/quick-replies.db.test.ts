// Settings → Quick replies through its server actions on both drivers, as signed-in browsers (a real Auth.js
// session cookie): managers and admins write, a marketer is refused like the API refuses them, and the domain's
// refusals (a shortcut in use, a malformed one, another workspace's reply) come back on the form's fields.
import { beforeAll, describe, expect, it } from "vitest";
import { insertTenant } from "@/db/queries";
import { testDrivers } from "@/db/testing";
import { createQuickReply, listQuickReplies } from "@/lib/inbox/quick-replies";
import { signedInWorkspace } from "@/test/console-actions";

const SECRET = "quick-replies-settings-auth-secret-0123";
const actions = await import("./actions");

describe.each(testDrivers)("Settings → Quick replies actions (%s)", (kind) => {
  const w = signedInWorkspace(kind, {
    secret: SECRET,
    encryptionKey: Buffer.alloc(32, 11).toString("base64"),
    workspace: "Quick",
    roles: ["admin", "manager", "marketer"],
    emailTag: "qr",
  });
  const { as, run } = w;
  let otherReply = "";
  const shortcuts = async () => (await listQuickReplies(w.t.db, { tenantId: w.tenantId })).rows.map((r) => r.shortcut);

  beforeAll(async () => {
    const other = (await insertTenant(w.t.db, { name: "Other" })).id;
    otherReply = (await createQuickReply(w.t.db, { tenantId: other, userId: null, input: { shortcut: "hours", text: "Theirs" }, now: new Date() })).id;
  });

  it("lets a manager add one, trimmed, and refuses a shortcut in use or malformed on the shortcut field", async () => {
    const added = await run(as.manager, () => actions.createQuickReplyAction({ shortcut: " hours ", text: "We are open 9:00–18:00. " }));
    expect(added).toMatchObject({ ok: true, data: { shortcut: "hours", text: "We are open 9:00–18:00." } });
    expect(await run(as.admin, () => actions.createQuickReplyAction({ shortcut: "hours", text: "Again" }))).toEqual({
      ok: false,
      error: "A quick reply with the shortcut “hours” already exists",
      fieldErrors: { shortcut: ["Another quick reply has this shortcut"] },
    });
    const malformed = await run(as.manager, () => actions.createQuickReplyAction({ shortcut: "open hours", text: "x" }));
    expect(malformed).toMatchObject({ ok: false, fieldErrors: { shortcut: [expect.any(String)] } });
    expect(await shortcuts()).toEqual(["hours"]);
  });

  it("refuses a marketer every write, as the API does", async () => {
    const [reply] = (await listQuickReplies(w.t.db, { tenantId: w.tenantId })).rows;
    const refusal = { ok: false, error: "This needs the manager role or higher" };
    expect(await run(as.marketer, () => actions.createQuickReplyAction({ shortcut: "mine", text: "x" }))).toEqual(refusal);
    expect(await run(as.marketer, () => actions.updateQuickReplyAction({ id: reply!.id, shortcut: "hours", text: "x" }))).toEqual(refusal);
    expect(await run(as.marketer, () => actions.deleteQuickReplyAction({ id: reply!.id }))).toEqual(refusal);
    expect((await listQuickReplies(w.t.db, { tenantId: w.tenantId })).rows).toEqual([reply]);
  });

  it("edits both fields, refuses another reply's shortcut on the field, and never reaches another workspace's reply", async () => {
    const address = await run(as.manager, () => actions.createQuickReplyAction({ shortcut: "address", text: "Main St 1" }));
    if (!address.ok) throw new Error(address.error);
    const id = address.data.id;
    const edited = await run(as.manager, () => actions.updateQuickReplyAction({ id, shortcut: "where", text: "Main St 2" }));
    expect(edited).toMatchObject({ ok: true, data: { id, shortcut: "where", text: "Main St 2" } });
    expect(await run(as.manager, () => actions.updateQuickReplyAction({ id, shortcut: "hours", text: "Main St 2" }))).toMatchObject({
      ok: false,
      fieldErrors: { shortcut: ["Another quick reply has this shortcut"] },
    });
    expect(await run(as.admin, () => actions.updateQuickReplyAction({ id: otherReply, shortcut: "hours", text: "Mine now" }))).toEqual({
      ok: false,
      error: "Quick reply not found",
    });
    expect(await run(as.admin, () => actions.deleteQuickReplyAction({ id: otherReply }))).toEqual({ ok: false, error: "Quick reply not found" });
    expect(await shortcuts()).toEqual(["hours", "where"]);
  });

  it("deletes once; a second delete is not found", async () => {
    const [hours] = (await listQuickReplies(w.t.db, { tenantId: w.tenantId })).rows;
    expect(await run(as.manager, () => actions.deleteQuickReplyAction({ id: hours!.id }))).toEqual({ ok: true, data: null });
    expect(await run(as.manager, () => actions.deleteQuickReplyAction({ id: hours!.id }))).toEqual({ ok: false, error: "Quick reply not found" });
    expect(await shortcuts()).toEqual(["where"]);
  });
});
