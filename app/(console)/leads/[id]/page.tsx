import { AlertTriangle, Send } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AutoRefresh } from "@/components/console/auto-refresh";
import { Facts } from "@/components/console/facts";
import { ErrorHint } from "@/components/console/error-hint";
import { DateTime, RelativeTime } from "@/components/console/formatted";
import { BackLink } from "@/components/console/list-parts";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { getTelegramCallNote, type LeadMessageRow } from "@/db/queries";
import { requireUser } from "@/lib/auth";
import { loadByIdOrNull } from "@/lib/http";
import { getLead, type LeadDetail } from "@/lib/leads/read";
import { formatPhone } from "@/lib/phone";
import { numberLabel } from "@/components/console/names";
import { hasRole } from "@/lib/roles";
import { CallStatusBadge, CampaignBadge, MessageStatusBadge, TargetBadge } from "../lead-badges";
import { CallActions } from "./call-actions";
import { subscriberName } from "@/components/console/names";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Lead" };

const loadLead = async (tenantId: string, rawId: string): Promise<LeadDetail | null> =>
  loadByIdOrNull(rawId, async (id) => getLead(await getDb(), { tenantId, id }));

const when = (d: Date | null) => (d ? <DateTime value={d} /> : <span className="text-muted-foreground">—</span>);

function DripMessages({ messages }: { messages: LeadMessageRow[] }) {
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Template</TableHead>
          <TableHead>Scheduled</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Sent</TableHead>
          <TableHead className="w-[32%]">Error or reason</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {messages.map((m) => (
          <TableRow key={m.id} data-testid="drip-message">
            <TableCell className="max-w-56">
              <span className="block truncate font-medium" title={m.templateTitle ?? m.templateName}>
                {m.templateTitle ?? m.templateName}
              </span>
              <code className="text-xs text-muted-foreground">{m.templateName}</code>
            </TableCell>
            <TableCell>{when(m.scheduledAt)}</TableCell>
            <TableCell>
              <div className="grid justify-items-start gap-0.5">
                <MessageStatusBadge status={m.status} />
                {m.status === "pending" && m.nextAttemptAt ? (
                  <span className="text-xs text-muted-foreground">
                    retry <RelativeTime value={m.nextAttemptAt} />
                  </span>
                ) : null}
              </div>
            </TableCell>
            <TableCell>{when(m.sentAt)}</TableCell>
            <TableCell className="whitespace-normal text-xs">
              {m.errorCode || m.errorMessage ? (
                // why it failed, with what to do; why it was cancelled or skipped reads as a note, not a failure
                <div data-testid="message-error">
                  <ErrorHint code={m.errorCode} message={m.errorMessage} neutral={m.status !== "failed" && m.status !== "pending"} compact />
                </div>
              ) : (
                <span className="text-muted-foreground">—</span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

const TELEGRAM_OUTCOMES: Record<string, string> = { enrolled: "Target — enrolled", not_target: "Not target", no_answer: "No answer" };

/** Who answered the call flow in the managers' Telegram chat, and when. */
function telegramFact(note: { outcome: string | null; by: string | null; at: Date | null }): [string, React.ReactNode] {
  const by = note.by ? ` by ${note.by}` : "";
  return [
    "Recorded in Telegram",
    <span key="telegram">
      {`${TELEGRAM_OUTCOMES[note.outcome ?? ""] ?? "Answered"}${by}`}
      {note.at ? (
        <>
          {" · "}
          <DateTime value={note.at} />
        </>
      ) : null}
    </span>,
  ];
}

export default async function LeadPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser({ role: "marketer" });
  const lead = await loadLead(user.tenantId, (await params).id);
  if (!lead) notFound();
  const telegram = await getTelegramCallNote(await getDb(), { tenantId: user.tenantId, leadId: lead.id });
  const canManage = hasRole(user.role, "manager");
  const now = new Date().getTime();
  const dueSoon = lead.messages.some((m) => (m.status === "pending" || m.status === "sending") && m.scheduledAt.getTime() - now < 60_000);
  const shownName = lead.subscriber ? subscriberName(lead.subscriber) : null;

  return (
    <div className="grid gap-6">
      <BackLink href="/leads">Leads</BackLink>
      <PageHeader
        className="pb-0"
        title={
          <span className="flex flex-wrap items-center gap-3">
            {lead.name}
            <CallStatusBadge status={lead.callStatus} />
            <TargetBadge isTarget={lead.isTarget} />
          </span>
        }
        description={
          <>
            {`${formatPhone(lead.phone)}${lead.segment ? ` · ${lead.segment}` : ""} · received `}
            <DateTime value={lead.createdAt} />
            {lead.source ? ` from ${lead.source}` : ""}
          </>
        }
      />
      <AutoRefresh active={dueSoon} intervalMs={5_000} note="Messages due now update by themselves." />
      {!lead.number ? (
        <Alert variant="warning" data-testid="no-number">
          <AlertTriangle aria-hidden />
          <AlertTitle>No number to send from</AlertTitle>
          <AlertDescription>
            <p>
              This lead has no WhatsApp number for its drip: connect a Meta Cloud API or Green API number
              {canManage ? (
                <>
                  {" "}
                  on the{" "}
                  <Link href="/numbers" className="underline underline-offset-2">
                    Numbers
                  </Link>{" "}
                  page
                </>
              ) : (
                ""
              )}
              . New leads get the oldest active one.
            </p>
          </AlertDescription>
        </Alert>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Call</h2>
            </CardTitle>
            <CardDescription>
              {canManage
                ? "Call the lead, then record what happened. Yes to “Target and interested?” starts the WhatsApp drip."
                : "Managers record calls and start campaigns."}
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <Facts
              rows={[
                ["Call", <CallStatusBadge key="c" status={lead.callStatus} />],
                ["Target and interested?", <TargetBadge key="t" isTarget={lead.isTarget} />],
                [
                  "Campaign",
                  <span key="g" className="inline-flex flex-wrap items-center gap-2">
                    <CampaignBadge active={lead.campaignActive} enrolledAt={lead.enrolledAt} />
                    {lead.enrolledAt ? (
                      <span className="text-xs text-muted-foreground">
                        enrolled <DateTime value={lead.enrolledAt} />
                      </span>
                    ) : null}
                  </span>,
                ],
                ["Manager", lead.assignedUser?.name ?? null],
                ...(telegram ? [telegramFact(telegram)] : []),
                ["Last WhatsApp sent", lead.lastWhatsappSentAt ? <DateTime key="sent" value={lead.lastWhatsappSentAt} /> : null],
              ]}
            />
            {canManage ? <CallActions id={lead.id} name={lead.name} campaignActive={lead.campaignActive} messageCount={lead.messages.length} /> : null}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Lead</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <Facts
              rows={[
                [
                  "Phone",
                  <span key="p" className="tabular-nums">
                    {formatPhone(lead.phone)}
                  </span>,
                ],
                ["Segment", lead.segment],
                ["Source", lead.source],
                [
                  "External ref",
                  lead.externalRef ? (
                    <code key="e" className="text-xs break-all">
                      {lead.externalRef}
                    </code>
                  ) : null,
                ],
                [
                  "Sends from",
                  lead.number ? (
                    <Link key="n" href={`/numbers/${lead.number.id}`} className="hover:underline">
                      {numberLabel(lead.number)}
                      {lead.number.active ? "" : " · inactive"}
                    </Link>
                  ) : null,
                ],
                [
                  "Subscriber",
                  lead.subscriber ? (
                    <Link key="s" href={`/subscribers/${lead.subscriber.id}`} className="hover:underline">
                      {shownName}
                    </Link>
                  ) : (
                    <span key="s" className="text-muted-foreground">
                      has not written to you yet
                    </span>
                  ),
                ],
                ["Received", <DateTime key="received" value={lead.createdAt} />],
              ]}
            />
          </CardContent>
        </Card>
      </div>
      <Card className={lead.messages.length > 0 ? "pb-0" : undefined}>
        <CardHeader>
          <CardTitle>
            <h2>Drip messages</h2>
          </CardTitle>
          <CardDescription>One WhatsApp message per template of the lead&apos;s segment, scheduled from the enrollment.</CardDescription>
        </CardHeader>
        <CardContent className={lead.messages.length > 0 ? "px-0" : undefined}>
          {lead.messages.length > 0 ? (
            <DripMessages messages={lead.messages} />
          ) : (
            <EmptyState
              icon={Send}
              title={lead.enrolledAt ? "Nothing was queued" : "No messages yet"}
              description={
                lead.enrolledAt
                  ? "There was no active template for this lead's segment when it was enrolled."
                  : "Messages are queued when a manager records a call with Yes to “Target and interested?”."
              }
            />
          )}
        </CardContent>
      </Card>
    </div>
  );
}
