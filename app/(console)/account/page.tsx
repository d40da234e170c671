import type { Metadata } from "next";
import { KeyRound } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db/client";
import { getAccountOverview } from "@/lib/accounts/account";
import { requireUser } from "@/lib/auth";
import { ROLE_LABELS } from "@/lib/roles";
import { ChangePasswordForm, NameForm, SignOutOthersCard } from "./account-forms";
import { TelegramAccountLink } from "../settings/telegram-section";
import { getTelegramUserLinkView } from "@/lib/telegram/bot";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Your account" };

// Every role. The one console page an account whose password an admin set may open (other pages
// redirect here with ?required=password); the explanation follows the account's mark, not the URL.
export default async function AccountPage() {
  const user = await requireUser({ allowPasswordChange: true });
  const account = await getAccountOverview(await getDb(), user.id);
  return (
    <div className="grid max-w-2xl gap-6">
      <PageHeader title="Your account" description={account.email} />
      {account.passwordChangeRequired ? (
        <Alert variant="warning" data-testid="password-change-required">
          <KeyRound aria-hidden />
          <AlertTitle>Choose your own password</AlertTitle>
          <AlertDescription>
            An admin set the password you signed in with, so they know it, and it would travel with your account into any other workspace you join. Choose a new
            password that only you know to continue to the console.
          </AlertDescription>
        </Alert>
      ) : null}
      <ChangePasswordForm required={account.passwordChangeRequired} />
      <NameForm name={account.name} />
      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Workspaces</h2>
          </CardTitle>
          <CardDescription>Your name and password are shared by all of them; your role is per workspace.</CardDescription>
        </CardHeader>
        <CardContent>
          <ul className="grid gap-2 text-sm" aria-label="Your workspaces">
            {account.workspaces.map((w) => (
              <li key={w.tenantId} className="flex items-center justify-between gap-3 rounded-md border px-3 py-2">
                <span className="truncate font-medium">{w.tenantName}</span>
                <span className="shrink-0 text-muted-foreground">{ROLE_LABELS[w.role]}</span>
              </li>
            ))}
          </ul>
        </CardContent>
      </Card>
      <TelegramAccountLink view={await getTelegramUserLinkView(await getDb(), { tenantId: user.tenantId, userId: user.id })} />
      <SignOutOthersCard />
    </div>
  );
}
