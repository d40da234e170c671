import type { Metadata } from "next";
import Link from "next/link";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { findInvite } from "@/lib/accounts/invites";
import { ROLE_LABELS } from "@/lib/roles";
import { AcceptInviteForm } from "./accept-invite-form";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Join workspace" };

export default async function InvitePage(props: { params: Promise<{ token: string }> }) {
  const { token } = await props.params;
  const found = token.length <= 200 ? await findInvite(await getDb(), { token, now: new Date() }) : null;
  if (!found || found.state !== "open") {
    return (
      <Alert variant="warning">
        <AlertTitle>This invite link cannot be used</AlertTitle>
        <AlertDescription>
          {found ? `It has ${found.state === "expired" ? "expired" : `been ${found.state}`}.` : "It is not valid."} Ask an
          admin of your workspace for a new invite, or <Link className="underline" href="/login">sign in</Link>.
        </AlertDescription>
      </Alert>
    );
  }
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">
          <h1>Join {found.tenantName}</h1>
        </CardTitle>
        <CardDescription>
          You were invited as <strong>{ROLE_LABELS[found.invite.role]}</strong> with {found.invite.email}. Choose your
          name and a password.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <AcceptInviteForm token={token} />
      </CardContent>
    </Card>
  );
}
