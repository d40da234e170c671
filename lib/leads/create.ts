// Taking a lead (the website form, a CRM, the console): the number its drip will be sent from (the one
// asked for, or the tenant's default), its subscriber when that phone already wrote to us, and exactly one
// lead per externalRef: the same request again answers with the first lead.
import type { Db } from "@/db/client";
import {
  findSubscriberIdByPhone,
  getDefaultLeadNumber,
  getLeadByExternalRef,
  getLeadNumber,
  insertLeadIfAbsent,
  type LeadNumber,
  type LeadRow,
} from "@/db/queries";
import { AppError } from "@/lib/errors";
import { phoneProblem } from "@/lib/phone";
import type { CreateLeadInput } from "./schemas";

import { emitEvents } from "@/lib/webhooks-out/emit";
import { kickDeliveries } from "@/lib/webhooks-out/kick";
import { leadCreatedEvent } from "@/lib/webhooks-out/lead-events";

export type CreatedLead = { lead: LeadRow; duplicate: boolean };

/** The number asked for (it must be the tenant's, and one that can send: Cloud API or Green API), or the default one (null if none). */
async function sendingNumber(db: Db, { tenantId, numberId }: { tenantId: string; numberId?: string }): Promise<LeadNumber | null> {
  if (!numberId) return getDefaultLeadNumber(db, { tenantId });
  const number = await getLeadNumber(db, { tenantId, id: numberId });
  if (!number)
    throw new AppError("not_found", `Number ${numberId} was not found (numberId is the id of one of your numbers)`, { numberId }, "number_not_found");
  if (number.provider === "gupshup") {
    throw new AppError(
      "unprocessable",
      `${number.label} is a Gupshup number; drip messages are sent through Meta Cloud API or Green API numbers`,
      { numberId },
      "number_cannot_send",
    );
  }
  return number;
}

/**
 * Creates a lead, or returns the tenant's lead with the same externalRef (`duplicate: true`, nothing changed).
 * The phone must be a valid number, or one a subscriber of the tenant wrote from (422 `invalid_request` otherwise).
 * Without numberId the lead gets the tenant's default sending number: the oldest active Cloud API or Green API one
 * (a demo number only when there is no other).
 */
export async function createLead(db: Db, { tenantId, input, now }: { tenantId: string; input: CreateLeadInput; now: Date }): Promise<CreatedLead> {
  const { externalRef } = input;
  if (externalRef) {
    const existing = await getLeadByExternalRef(db, { tenantId, externalRef });
    if (existing) return { lead: existing, duplicate: true };
  }
  const [number, subscriberId] = await Promise.all([
    sendingNumber(db, { tenantId, numberId: input.numberId }),
    findSubscriberIdByPhone(db, { tenantId, phone: input.phone }),
  ]);
  // a number libphonenumber does not know is fine when WhatsApp itself reported it (a subscriber's wa_id)
  const problem = subscriberId ? null : phoneProblem(input.phone);
  if (problem) throw new AppError("unprocessable", `phone: ${problem}`, { formErrors: [], fieldErrors: { phone: [problem] } }, "invalid_request");
  const inserted = await db.transaction(async (tx) => {
    const row = await insertLeadIfAbsent(tx, {
      tenantId,
      name: input.name,
      phone: input.phone,
      segment: input.segment ?? null,
      source: input.source ?? null,
      externalRef: externalRef ?? null,
      numberId: number?.id ?? null,
      subscriberId,
      createdAt: now,
      updatedAt: now,
    });
    if (row) await emitEvents(tx, tenantId, [leadCreatedEvent(row)]);
    return row;
  });
  if (inserted) {
    kickDeliveries();
    return { lead: inserted, duplicate: false };
  }
  // a concurrent request with the same externalRef won the insert
  const winner = await getLeadByExternalRef(db, { tenantId, externalRef: externalRef! });
  if (!winner) throw new Error("lead insert conflicted but no lead has that externalRef");
  return { lead: winner, duplicate: true };
}
