import { z } from "zod";
import { describe, expect, it } from "vitest";
import { createNumberSchema, numberEditFormSchema, numberFormSchema, numberPatchSchema } from "./schemas";

const cloud = {
  provider: "cloud",
  label: "Sales",
  phoneE164: "+7 900 123-45-67",
  phoneNumberId: "106540352242922",
  wabaId: "102290129340398",
  accessToken: "EAAG123",
  appSecret: "abc123",
  active: true,
};
const fieldErrors = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? {} : (z.flattenError(r.error).fieldErrors as Record<string, string[]>);
};

describe("number schemas", () => {
  it("normalises the phone and fills defaults", () => {
    expect(numberFormSchema.parse(cloud)).toMatchObject({ phoneE164: "+79001234567", sendRatePerSecond: 20, active: true });
    expect(numberFormSchema.parse({ ...cloud, datasetId: " " })).toMatchObject({ datasetId: null });
  });

  it("explains each bad field the way the form shows it", () => {
    const errors = fieldErrors(numberFormSchema, {
      ...cloud,
      phoneE164: "+7 900",
      phoneNumberId: "10654abc",
      accessToken: "",
      appSecret: "has space",
      sendRatePerSecond: 1001,
    });
    expect(errors.phoneE164?.[0]).toBe("Not a valid number for Russia: it is too short");
    expect(errors.phoneNumberId?.[0]).toMatch(/digits only/);
    expect(errors.accessToken?.[0]).toBe("Enter the access token");
    expect(errors.appSecret?.[0]).toMatch(/cannot contain spaces/);
    expect(errors.sendRatePerSecond?.[0]).toMatch(/at most 1,000/);
  });

  it("takes a Cloud API number up to Meta's top tier of 1,000 messages per second, other providers up to 80", () => {
    expect(numberFormSchema.parse({ ...cloud, sendRatePerSecond: 1000 })).toMatchObject({ sendRatePerSecond: 1000 });
    const green = {
      provider: "green",
      label: "G",
      phoneE164: "+79001234568",
      greenApiUrl: "https://7103.api.greenapi.com",
      greenInstanceId: "7103",
      greenApiToken: "t",
    };
    expect(numberFormSchema.parse({ ...green, sendRatePerSecond: 80 })).toMatchObject({ sendRatePerSecond: 80 });
    expect(fieldErrors(numberFormSchema, { ...green, sendRatePerSecond: 81 }).sendRatePerSecond?.[0]).toMatch(/at most 80/);
  });

  it("requires secrets on create but keeps them when left empty on edit", () => {
    expect(fieldErrors(numberFormSchema, { ...cloud, accessToken: "  " }).accessToken).toBeDefined();
    const edited = numberEditFormSchema.parse({ ...cloud, accessToken: "", appSecret: "" });
    expect(edited).toMatchObject({ accessToken: undefined, appSecret: undefined });
  });

  it("validates each provider's own fields", () => {
    const green = fieldErrors(numberFormSchema, {
      provider: "green",
      label: "G",
      phoneE164: "+79005550123",
      greenApiUrl: "ftp://x",
      greenInstanceId: "abc",
      greenApiToken: "",
    });
    expect(Object.keys(green).sort()).toEqual(["greenApiToken", "greenApiUrl", "greenInstanceId"]);
    const gupshup = numberFormSchema.parse({
      provider: "gupshup",
      label: "G",
      phoneE164: "+918098765432",
      gupshupAppName: "App",
      gupshupApiKey: "k",
      gupshupSourceNumber: "",
    });
    expect(gupshup).toMatchObject({ provider: "gupshup", gupshupSourceNumber: undefined });
    expect(numberFormSchema.safeParse({ ...cloud, provider: "viber" }).success).toBe(false);
  });

  it("refuses unknown fields on the API but not in the form", () => {
    expect(createNumberSchema.safeParse({ ...cloud, accesToken: "typo" }).success).toBe(false);
    expect(numberFormSchema.safeParse({ ...cloud, greenApiUrl: "" }).success).toBe(true);
    expect(numberPatchSchema.safeParse({ label: "x" }).success).toBe(true);
    expect(numberPatchSchema.safeParse({ lable: "x" }).success).toBe(false);
  });

  it("accepts autoLeadSubmitted only as a boolean, and only with a dataset", () => {
    expect(createNumberSchema.parse({ ...cloud, datasetId: "1234567890", autoLeadSubmitted: true })).toMatchObject({ autoLeadSubmitted: true });
    expect(fieldErrors(createNumberSchema, { ...cloud, autoLeadSubmitted: true }).autoLeadSubmitted?.[0]).toMatch(/need a Conversions API dataset/);
    expect(fieldErrors(createNumberSchema, { ...cloud, datasetId: "1234567890", autoLeadSubmitted: "yes" }).autoLeadSubmitted?.[0]).toMatch(/true or false/);
    expect(numberFormSchema.parse(cloud)).not.toHaveProperty("autoLeadSubmitted");
    expect(numberPatchSchema.safeParse({ autoLeadSubmitted: true }).success).toBe(true);
  });
});
