// The drip listening settings on both drivers: the form's rules with their inline messages, what is stored
// (minutes after midnight, both or neither; known events once each) and what the form shows back.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { insertTenant } from "@/db/queries";
import { tenants } from "@/db/schema";
import { createTestDb, type TestDb, testDrivers } from "@/db/testing";
import { dripSettingsSchema, saveDripSettings } from "./settings";
import { dripSettingsFormValues } from "./settings-schema";

const errors = (input: unknown) => {
  const r = dripSettingsSchema.safeParse(input);
  return r.success ? {} : z.flattenError(r.error).fieldErrors;
};
const base = { quietHours: true, quietStart: "22:00", quietEnd: "08:00", stopEvents: ["Purchase"] };

describe("drip settings form", () => {
  it("explains each wrong field inline", () => {
    expect(errors(base)).toEqual({});
    expect(errors({ ...base, quietStart: "25:00", quietEnd: "" })).toEqual({
      quietStart: ["Enter the time quiet hours start, e.g. 22:00"],
      quietEnd: ["Enter the time quiet hours end, e.g. 08:00"],
    });
    expect(errors({ ...base, quietEnd: "22:00" })).toEqual({ quietEnd: ["Quiet hours must end at another time than they start"] });
    expect(errors({ ...base, stopEvents: ["Purchase", "Subscribe"] })).toEqual({
      stopEvents: ["Not a conversion event: Subscribe (use LeadSubmitted, Purchase, AddToCart, InitiateCheckout, ViewContent)"],
    });
    // quiet hours off: the times are not checked
    expect(errors({ ...base, quietHours: false, quietStart: "", quietEnd: "" })).toEqual({});
  });

  it("shows a workspace without quiet hours as off, offering 22:00–08:00", () => {
    expect(dripSettingsFormValues({ quietHoursStart: null, quietHoursEnd: null, dripStopEvents: ["Purchase"] })).toEqual({
      quietHours: false,
      quietStart: "22:00",
      quietEnd: "08:00",
      stopEvents: ["Purchase"],
    });
  });
});

describe.each(testDrivers)("drip settings (%s)", (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(() => t.cleanup());

  it("stores quiet hours as minutes and the events once each; off stores neither time", async () => {
    const { id: tenantId } = await insertTenant(t.db, { name: "Settings" });
    const stored = () => t.db.select().from(tenants).where(eq(tenants.id, tenantId));
    expect((await stored())[0]).toMatchObject({ quietHoursStart: null, quietHoursEnd: null, dripStopEvents: ["Purchase"] });

    const input = dripSettingsSchema.parse({ quietHours: true, quietStart: "22:30", quietEnd: "07:45", stopEvents: ["ViewContent", "Purchase", "Purchase"] });
    expect(await saveDripSettings(t.db, { tenantId, input })).toEqual({
      quietHours: true,
      quietStart: "22:30",
      quietEnd: "07:45",
      stopEvents: ["Purchase", "ViewContent"],
    });
    expect((await stored())[0]).toMatchObject({ quietHoursStart: 1350, quietHoursEnd: 465, dripStopEvents: ["Purchase", "ViewContent"] });

    const off = dripSettingsSchema.parse({ quietHours: false, quietStart: "22:30", quietEnd: "07:45", stopEvents: [] });
    expect(await saveDripSettings(t.db, { tenantId, input: off })).toMatchObject({ quietHours: false, stopEvents: [] });
    expect((await stored())[0]).toMatchObject({ quietHoursStart: null, quietHoursEnd: null, dripStopEvents: [] });
  });
});
