import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db/migrations-info";
import { insertTenant, markPhoneNumberIdProven } from "@/db/queries";
import { subscribers } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { decryptSecret } from "@/lib/crypto";
import { createNumber, deleteNumber, listNumbersPage, rotateNumberToken, setAutoLeadSubmitted, setNumberActive, toPublicNumber, updateNumber } from "./numbers";
import { numberFormSchema } from "./schemas";

const keys = { encryptionKey: Buffer.alloc(32, 7).toString("base64"), appUrl: "https://ct.example.com/" };
let seq = 0;
const cloudInput = (over: Record<string, unknown> = {}) => {
  seq += 1;
  return numberFormSchema.parse({
    provider: "cloud",
    label: `Sales ${seq}`,
    phoneE164: `+7 900 123-45-${String(seq).padStart(2, "0")}`,
    phoneNumberId: `10654035224${String(seq).padStart(4, "0")}`,
    wabaId: "102290129340398",
    accessToken: `EAAGtoken${seq}secret1a2b`,
    appSecret: `appsecret${seq}c3d4`,
    ...over,
  });
};

describe.each(testDrivers)("numbers (%s)", (kind) => {
  let t: TestDb;
  let tenantId: string;
  let otherTenantId: string;
  beforeAll(async () => {
    t = await createTestDb(kind);
    tenantId = (await insertTenant(t.db, { name: "Numbers" })).id;
    otherTenantId = (await insertTenant(t.db, { name: "Other" })).id;
  });
  afterAll(() => t.cleanup());

  it("normalises the phone, seals the secrets and shows only hints", async () => {
    const row = await createNumber(t.db, keys, { tenantId, input: cloudInput({ accessToken: "EAAGsecret-token-1a2b", appSecret: "f00dbabe99" }) });
    expect(row.phoneE164).toMatch(/^\+790012345\d\d$/);
    expect(row.accessTokenEnc).not.toContain("EAAG");
    expect(decryptSecret(row.accessTokenEnc!, keys.encryptionKey)).toBe("EAAGsecret-token-1a2b");
    expect(row.verifyToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const pub = toPublicNumber(row, keys, { includeWebhook: true });
    expect(pub.secrets).toEqual({ accessToken: { set: true, hint: "•••• 1a2b" }, appSecret: { set: true, hint: "•••• be99" } });
    expect(pub.status).toBe("unverified");
    expect(pub.webhook).toEqual({
      callbackUrl: "https://ct.example.com/api/webhooks/whatsapp",
      verifyToken: row.verifyToken,
      fields: ["messages"],
      gupshupCallbackUrl: null,
    });
    const json = JSON.stringify(pub);
    expect(json).not.toContain("EAAGsecret");
    expect(json).not.toContain("f00dbabe99");
    expect(json).not.toContain(row.accessTokenEnc!);
    expect(toPublicNumber(row, keys, { includeWebhook: false })).not.toHaveProperty("webhook");
  });

  it("reports a secret sealed with another key as unreadable", async () => {
    const row = await createNumber(t.db, keys, { tenantId, input: cloudInput() });
    const pub = toPublicNumber(row, { ...keys, encryptionKey: Buffer.alloc(32, 9).toString("base64") }, { includeWebhook: false });
    expect(pub.secrets.accessToken).toEqual({ set: true, hint: null, unreadable: true });
  });

  it("turns duplicate Phone Number IDs and phones into field errors", async () => {
    const first = await createNumber(t.db, keys, { tenantId, input: cloudInput() });
    await expect(createNumber(t.db, keys, { tenantId, input: cloudInput({ phoneNumberId: first.phoneNumberId }) })).rejects.toMatchObject({
      code: "conflict",
      details: { fieldErrors: { phoneNumberId: [expect.stringContaining("already connected")] } },
    });
    await expect(createNumber(t.db, keys, { tenantId, input: cloudInput({ phoneE164: first.phoneE164 }) })).rejects.toMatchObject({
      code: "conflict",
      details: { fieldErrors: { phoneE164: [expect.stringContaining("already connected")] } },
    });
    // the same phone in another workspace is fine
    await expect(createNumber(t.db, keys, { tenantId: otherTenantId, input: cloudInput({ phoneE164: first.phoneE164 }) })).resolves.toBeTruthy();
    // an unproven Phone Number ID may be claimed elsewhere too (it gets no webhooks until its token passes the Graph check) ...
    const rival = await createNumber(t.db, keys, { tenantId: otherTenantId, input: cloudInput({ phoneNumberId: first.phoneNumberId }) });
    // ... but once one workspace has proven it, no other may claim it, nor prove it as well
    await markPhoneNumberIdProven(t.db, { tenantId, id: first.id, at: new Date() });
    await expect(createNumber(t.db, keys, { tenantId: otherTenantId, input: cloudInput({ phoneNumberId: first.phoneNumberId }) })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("verified in another workspace"),
    });
    await expect(markPhoneNumberIdProven(t.db, { tenantId: otherTenantId, id: rival.id, at: new Date() })).rejects.toThrow();
  });

  it("creates Green API and Gupshup numbers with their own fields", async () => {
    const green = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "green",
        label: "Green",
        phoneE164: "+79005550123",
        greenApiUrl: "https://7103.api.greenapi.com/",
        greenInstanceId: "7103000001",
        greenApiToken: "greentoken9f8e",
      }),
    });
    expect(green.greenApiUrl).toBe("https://7103.api.greenapi.com");
    expect(toPublicNumber(green, keys, { includeWebhook: false }).secrets).toEqual({ greenApiToken: { set: true, hint: "•••• 9f8e" } });
    const gupshup = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "gupshup",
        label: "Gupshup",
        phoneE164: "+91 80987 65432",
        gupshupAppName: "DemoApp",
        gupshupApiKey: "gskey7777",
      }),
    });
    expect(gupshup.gupshupSourceNumber).toBe("+918098765432");
    expect(gupshup.gupshupWebhookToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(toPublicNumber(gupshup, keys, { includeWebhook: true }).webhook?.gupshupCallbackUrl).toBe(
      `https://ct.example.com/api/webhooks/gupshup/${gupshup.gupshupWebhookToken}`,
    );
  });

  it("patches a subset, keeps secrets left empty and re-checks only when the connection changed", async () => {
    const row = await createNumber(t.db, keys, { tenantId, input: cloudInput({ accessToken: "original-token-aaaa" }) });
    await t.db.execute(sql`update whatsapp_numbers set connection_status = 'connected' where id = ${row.id}`);
    const renamed = await updateNumber(t.db, keys, { tenantId, id: row.id, patch: { label: "Renamed", accessToken: "" } });
    expect(renamed.connectionChanged).toBe(false);
    expect(renamed.row.label).toBe("Renamed");
    expect(renamed.row.connectionStatus).toBe("connected");
    expect(decryptSecret(renamed.row.accessTokenEnc!, keys.encryptionKey)).toBe("original-token-aaaa");

    const replaced = await updateNumber(t.db, keys, { tenantId, id: row.id, patch: { accessToken: "new-token-bbbb" } });
    expect(replaced.connectionChanged).toBe(true);
    expect(replaced.row.connectionStatus).toBe("unverified");
    expect(decryptSecret(replaced.row.accessTokenEnc!, keys.encryptionKey)).toBe("new-token-bbbb");
  });

  it("validates the merged number and refuses a provider change", async () => {
    const row = await createNumber(t.db, keys, { tenantId, input: cloudInput() });
    await expect(updateNumber(t.db, keys, { tenantId, id: row.id, patch: { phoneNumberId: "12ab" } })).rejects.toMatchObject({
      code: "unprocessable",
      details: { fieldErrors: { phoneNumberId: [expect.stringContaining("digits only")] } },
    });
    await expect(updateNumber(t.db, keys, { tenantId, id: row.id, patch: { provider: "green" } })).rejects.toMatchObject({
      code: "unprocessable",
      details: { fieldErrors: { provider: expect.any(Array) } },
    });
    await expect(updateNumber(t.db, keys, { tenantId: otherTenantId, id: row.id, patch: { label: "x" } })).rejects.toMatchObject({ code: "not_found" });
    const cleared = await updateNumber(t.db, keys, { tenantId, id: row.id, patch: { datasetId: "1234567890" } });
    expect(cleared.row.datasetId).toBe("1234567890");
    expect((await updateNumber(t.db, keys, { tenantId, id: row.id, patch: { datasetId: null } })).row.datasetId).toBeNull();
  });

  it("deactivates, reactivates and rotates tokens", async () => {
    const row = await createNumber(t.db, keys, { tenantId, input: cloudInput() });
    expect(toPublicNumber(await setNumberActive(t.db, { tenantId, id: row.id, active: false }), keys, { includeWebhook: false }).status).toBe("inactive");
    expect((await setNumberActive(t.db, { tenantId, id: row.id, active: true })).active).toBe(true);
    const rotated = await rotateNumberToken(t.db, { tenantId, id: row.id, which: "verify" });
    expect(rotated.verifyToken).not.toBe(row.verifyToken);
    await expect(rotateNumberToken(t.db, { tenantId, id: row.id, which: "gupshup" })).rejects.toMatchObject({ code: "unprocessable" });
    await expect(setNumberActive(t.db, { tenantId: otherTenantId, id: row.id, active: false })).rejects.toMatchObject({ code: "not_found" });
  });

  it("deletes a number nothing refers to, and refuses one with history", async () => {
    const unused = await createNumber(t.db, keys, { tenantId, input: cloudInput() });
    await expect(deleteNumber(t.db, { tenantId: otherTenantId, id: unused.id })).rejects.toMatchObject({ code: "not_found" });
    await deleteNumber(t.db, { tenantId, id: unused.id });
    const used = await createNumber(t.db, keys, { tenantId, input: cloudInput() });
    await t.db.insert(subscribers).values([
      { tenantId, waPhone: "+16505551234", numberId: used.id, firstSeenAt: new Date() },
      { tenantId, waPhone: "+16505551235", numberId: used.id, firstSeenAt: new Date() },
    ]);
    await expect(deleteNumber(t.db, { tenantId, id: used.id })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("2 subscribers"),
      details: { references: expect.objectContaining({ subscribers: 2, messages: 0 }) },
    });
    const [left] = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from whatsapp_numbers where id in (${unused.id}, ${used.id})`));
    expect(Number(left?.n)).toBe(1);
  });

  it("lists the tenant's numbers newest first in keyset pages", async () => {
    const own = (await listNumbersPage(t.db, { tenantId, limit: 200 })).rows;
    expect(own.every((r) => r.tenantId === tenantId)).toBe(true);
    const first = await listNumbersPage(t.db, { tenantId, limit: 2 });
    expect(first.rows).toHaveLength(2);
    const second = await listNumbersPage(t.db, { tenantId, limit: 200, cursor: first.nextCursor! });
    expect([...first.rows, ...second.rows].map((r) => r.id)).toEqual(own.map((r) => r.id));
    expect(second.nextCursor).toBeNull();
  });

  it("turns automatic LeadSubmitted on only for a Cloud number with a dataset, in its own workspace", async () => {
    const row = await createNumber(t.db, keys, { tenantId, input: cloudInput() });
    expect(row.autoLeadSubmitted).toBe(false);
    expect(toPublicNumber(row, keys, { includeWebhook: false }).autoLeadSubmitted).toBe(false);
    await expect(setAutoLeadSubmitted(t.db, { tenantId, id: row.id, enabled: true })).rejects.toMatchObject({
      code: "unprocessable",
      reason: "dataset_missing",
    });

    await updateNumber(t.db, keys, { tenantId, id: row.id, patch: { datasetId: "1234567890" } });
    await expect(setAutoLeadSubmitted(t.db, { tenantId: otherTenantId, id: row.id, enabled: true })).rejects.toMatchObject({ code: "not_found" });
    await expect(setAutoLeadSubmitted(t.db, { tenantId: otherTenantId, id: row.id, enabled: false })).rejects.toMatchObject({ code: "not_found" });
    const on = await setAutoLeadSubmitted(t.db, { tenantId, id: row.id, enabled: true });
    expect(on.autoLeadSubmitted).toBe(true);
    expect(toPublicNumber(on, keys, { includeWebhook: false }).autoLeadSubmitted).toBe(true);

    // an unrelated edit keeps it; turning it off always works
    expect((await updateNumber(t.db, keys, { tenantId, id: row.id, patch: { label: "Still on" } })).row.autoLeadSubmitted).toBe(true);
    expect((await setAutoLeadSubmitted(t.db, { tenantId, id: row.id, enabled: false })).autoLeadSubmitted).toBe(false);

    const green = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "green",
        label: "Green auto",
        phoneE164: "+79005550199",
        greenApiUrl: "https://7103.api.greenapi.com",
        greenInstanceId: "7103000009",
        greenApiToken: "greentoken0000",
      }),
    });
    await expect(setAutoLeadSubmitted(t.db, { tenantId, id: green.id, enabled: true })).rejects.toMatchObject({ reason: "number_not_cloud" });
  });

  it("sets autoLeadSubmitted through a patch, and clearing the dataset turns it off", async () => {
    const row = await createNumber(t.db, keys, { tenantId, input: cloudInput() });
    await expect(updateNumber(t.db, keys, { tenantId, id: row.id, patch: { autoLeadSubmitted: true } })).rejects.toMatchObject({
      code: "unprocessable",
      details: { fieldErrors: { autoLeadSubmitted: [expect.stringContaining("dataset")] } },
    });
    const on = await updateNumber(t.db, keys, { tenantId, id: row.id, patch: { datasetId: "555000111", autoLeadSubmitted: true } });
    expect(on.row).toMatchObject({ datasetId: "555000111", autoLeadSubmitted: true });
    expect(on.connectionChanged).toBe(false);
    await expect(updateNumber(t.db, keys, { tenantId, id: row.id, patch: { autoLeadSubmitted: "yes" } })).rejects.toMatchObject({
      details: { fieldErrors: { autoLeadSubmitted: [expect.stringContaining("true or false")] } },
    });
    const cleared = await updateNumber(t.db, keys, { tenantId, id: row.id, patch: { datasetId: null } });
    expect(cleared.row).toMatchObject({ datasetId: null, autoLeadSubmitted: false });

    const gupshup = await createNumber(t.db, keys, {
      tenantId,
      input: numberFormSchema.parse({
        provider: "gupshup",
        label: "Gupshup auto",
        phoneE164: "+91 80987 65499",
        gupshupAppName: "AutoApp",
        gupshupApiKey: "gskey8888",
      }),
    });
    await expect(updateNumber(t.db, keys, { tenantId, id: gupshup.id, patch: { autoLeadSubmitted: false } })).rejects.toMatchObject({
      details: { fieldErrors: { autoLeadSubmitted: [expect.stringContaining("Cloud API")] } },
    });
  });
});
