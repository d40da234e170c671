// A Green API number's webhook set-up: its own notification URL and webhookUrlToken. The token is a secret,
// sealed with ENCRYPTION_KEY; it is shown in the clear only to admins on the number's page (to paste into the
// Green API console) and never in API responses.
import { demoNumberRefusal } from "@/lib/numbers/demo-number";
import type { Db } from "@/db/client";
import { getNumberById } from "@/db/queries";
import { setGreenWebhookToken } from "@/db/queries/green";
import { encryptSecret, openSecret, randomToken } from "@/lib/crypto";
import { AppError, notFound } from "@/lib/errors";

type Keys = { encryptionKey: string; appUrl: string };

/** What to paste into the Green API console; `token` null when there is none yet or it cannot be read (`unreadable`). */
export type GreenWebhookSetup = { url: string; token: string | null; unreadable: boolean };

export function greenWebhookUrl(appUrl: string, numberId: string): string {
  return `${appUrl.replace(/\/+$/, "")}/api/webhooks/green/${numberId}`;
}

/** A new webhook token for the number (its first, or a rotation: the old one stops working at once). */
export async function issueGreenWebhookToken(db: Db, keys: Pick<Keys, "encryptionKey">, { tenantId, id }: { tenantId: string; id: string }): Promise<void> {
  const sealed = encryptSecret(randomToken(24), keys.encryptionKey);
  if (await setGreenWebhookToken(db, { tenantId, id, sealed })) return;
  const row = await getNumberById(db, { tenantId, id });
  if (!row) throw notFound("Number");
  throw new AppError("unprocessable", demoNumberRefusal(row) ?? "Only Green API numbers have a webhook token");
}

/** The admin's view of the set-up (null for a number that is not the tenant's Green API number). */
export async function getGreenWebhookSetup(db: Db, keys: Keys, { tenantId, id }: { tenantId: string; id: string }): Promise<GreenWebhookSetup | null> {
  const row = await getNumberById(db, { tenantId, id });
  if (!row || row.provider !== "green") return null;
  const token = openSecret(row.greenWebhookTokenEnc, keys.encryptionKey);
  return { url: greenWebhookUrl(keys.appUrl, row.id), token, unreadable: row.greenWebhookTokenEnc !== null && token === null };
}
