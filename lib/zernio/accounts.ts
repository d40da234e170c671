// Zernio's `accountId` (a WhatsApp SocialAccount there) is one of our numbers here: its Clicktrail id,
// looked up in the caller's workspace only, so another workspace's number is a 404 like a missing one.
import type { Db } from "@/db/client";
import { type NumberRow, getNumberById } from "@/db/queries";
import { AppError } from "@/lib/errors";

export async function requireZernioAccount(db: Db, { tenantId, accountId }: { tenantId: string; accountId: string }): Promise<NumberRow> {
  const number = await getNumberById(db, { tenantId, id: accountId });
  if (!number)
    throw new AppError("not_found", `Number ${accountId} was not found (accountId is the id of one of your numbers)`, { accountId }, "number_not_found");
  return number;
}
