import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { Button } from "@/components/ui/button";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth";
import { listQuickReplies, QUICK_REPLIES_MAX } from "@/lib/inbox/quick-replies";
import { hasRole } from "@/lib/roles";
import { QuickRepliesSection } from "./quick-replies-section";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Quick replies" };

// Every member uses quick replies in the composer ("/"); managers and admins write them here.
export default async function QuickRepliesPage() {
  const user = await requireUser({ role: "marketer" });
  const replies = await listQuickReplies(await getDb(), { tenantId: user.tenantId });
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Quick replies"
        description="Saved answers for the inbox: type / at the start of a reply to insert one."
        actions={
          <Button asChild variant="outline" size="sm">
            <Link href="/inbox">
              <ArrowLeft aria-hidden />
              Inbox
            </Link>
          </Button>
        }
      />
      <QuickRepliesSection
        replies={replies.rows.map((r) => ({ id: r.id, shortcut: r.shortcut, text: r.text }))}
        canWrite={hasRole(user.role, "manager")}
        max={QUICK_REPLIES_MAX}
      />
    </div>
  );
}
