// The Simulator number behind `npm run simulate`: an inactive Cloud API number of the workspace (it
// never sends anything) whose webhooks the simulator signs. Each run gets a fresh app secret, since
// stored secrets are never read back out.
import { randomBytes, randomInt } from "node:crypto";
import type { Db } from "@/db/client";
import { findNumberByLabel, markPhoneNumberIdProven } from "@/db/queries";
import { type NumberKeys, createNumber, updateNumber } from "@/lib/numbers/numbers";
import { numberFormSchema } from "@/lib/numbers/schemas";
import { forgetWebhookRouting } from "@/lib/whatsapp/receive";

export const SIMULATOR_LABEL = "Simulator (test traffic)";

export type SimulatorNumber = {
  number: { id: string; phoneE164: string; phoneNumberId: string; wabaId: string };
  appSecret: string;
  created: boolean;
};

const digits = (first: string, n: number) => `${first}${Array.from({ length: n - 1 }, () => randomInt(10)).join("")}`;

export async function prepareSimulatorNumber(db: Db, keys: NumberKeys, { tenantId }: { tenantId: string }): Promise<SimulatorNumber> {
  const appSecret = randomBytes(16).toString("hex");
  const existing = await findNumberByLabel(db, { tenantId, label: SIMULATOR_LABEL, provider: "cloud" });
  const row = existing
    ? (await updateNumber(db, keys, { tenantId, id: existing.id, patch: { appSecret } })).row
    : await createNumber(db, keys, {
        tenantId,
        input: numberFormSchema.parse({
          provider: "cloud",
          label: SIMULATOR_LABEL,
          phoneE164: `+1555${digits("2", 7)}`, // Meta's 555 test range: never a real person
          phoneNumberId: digits("9", 15),
          wabaId: digits("8", 15),
          accessToken: "simulator-has-no-token",
          appSecret,
          active: false,
        }),
      });
  // the Simulator's Phone Number ID was made up here and names nothing at Meta: it is the workspace's by construction
  if (!row.phoneNumberIdProvenAt) await markPhoneNumberIdProven(db, { tenantId, id: row.id, at: new Date() });
  forgetWebhookRouting();
  return {
    number: { id: row.id, phoneE164: row.phoneE164, phoneNumberId: row.phoneNumberId!, wabaId: row.wabaId! },
    appSecret,
    created: !existing,
  };
}
