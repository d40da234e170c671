import type { Metadata } from "next";
import Link from "next/link";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { findInvite } from "@/lib/accounts/invites";
import { currentUser } from "@/lib/auth";
import { ROLE_LABELS } from "@/lib/roles";
import { AcceptInviteForm } from "./accept-invite-form";
import { JoinAsSignedInButton, JoinWithPasswordForm } from "./join-workspace-form";

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
          {found ? `It has ${found.state === "expired" ? "expired" : `been ${found.state}`}.` : "It is not valid."} Ask an admin of your workspace for a new
          invite, or{" "}
          <Link className="underline" href="/login">
            sign in
          </Link>
          .
        </AlertDescription>
      </Alert>
    );
  }
  const { invite } = found;
  // an existing account joins as it is: only its owner (signed in, or with its password) can accept
  const me = found.accountExists ? await currentUser() : null;
  const signedInAsInvitee = me?.email === invite.email;
  const how = !found.accountExists
    ? "Choose your name and a password."
    : signedInAsInvitee
      ? "It already has a Clicktrail account: join with it, and the workspace is added to your workspace switcher."
      : `It already has a Clicktrail account: enter its password to join; your name and password stay as they are.${
          me ? ` You are signed in as ${me.email}: joining signs you in as ${invite.email}.` : ""
        }`;
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">
          <h1>Join {found.tenantName}</h1>
        </CardTitle>
        <CardDescription>
          You were invited as <strong>{ROLE_LABELS[invite.role]}</strong> with {invite.email}. {how}
        </CardDescription>
      </CardHeader>
      <CardContent>
        {!found.accountExists ? (
          <AcceptInviteForm token={token} />
        ) : signedInAsInvitee ? (
          <JoinAsSignedInButton token={token} />
        ) : (
          <JoinWithPasswordForm token={token} />
        )}
      </CardContent>
    </Card>
  );
}
