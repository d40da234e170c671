// A new lead is told to the managers' Telegram chat after the answer (the lead's creation never waits for Telegram,
// nor fails with it: a job retries the notice). A repeated request (duplicate) announces nothing.
import type { Db } from "@/db/client";
import { afterResponse } from "@/lib/http";
import { telegramDepsFromEnv } from "@/lib/telegram/client";
import { announceNewLead } from "@/lib/telegram/lead-notice";

export function announceLeadAfterAnswer(db: Db, { tenantId, leadId, duplicate }: { tenantId: string; leadId: string; duplicate: boolean }): void {
  if (duplicate) return;
  afterResponse(() => announceNewLead(db, telegramDepsFromEnv(), { tenantId, leadId }));
}
