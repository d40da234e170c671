import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { getUserById } from "@/db/queries";
import { canChangeAccount } from "@/lib/accounts/users";
import { requireUser } from "@/lib/auth";
import { uuidParamSchema } from "@/lib/http";
import { EditUserForm } from "./edit-user-form";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Edit user" };

export default async function EditUserPage(props: { params: Promise<{ id: string }> }) {
  const me = await requireUser({ role: "admin" });
  const params = uuidParamSchema.safeParse(await props.params);
  if (!params.success) notFound();
  // tenant-scoped: another workspace's user id is simply not found here
  const db = await getDb();
  const user = await getUserById(db, { tenantId: me.tenantId, id: params.data.id });
  if (!user) notFound();
  // name and password are the account's, shared with any other workspace it belongs to
  const accountEditable = await canChangeAccount(db, { tenantId: me.tenantId, actorId: me.id, userId: user.id });
  return (
    <div className="grid max-w-2xl gap-6">
      <Link href="/settings" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> Settings
      </Link>
      <PageHeader title={user.name} description={user.email} />
      <EditUserForm user={{ id: user.id, name: user.name, email: user.email, role: user.role }} isSelf={user.id === me.id} accountEditable={accountEditable} />
    </div>
  );
}
