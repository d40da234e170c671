import type { Metadata } from "next";
import { InboxView } from "@/components/inbox/inbox-view";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { loadInbox } from "./load-inbox";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Inbox" };

export default async function InboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser({ role: "marketer" });
  const data = await loadInbox(await getDb(), {
    viewer: { id: user.id, role: user.role, tenantId: user.tenantId },
    raw: await searchParams,
    now: new Date(),
  });
  return <InboxView {...data} viewerId={user.id} />;
}
