import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { isSetupOpen } from "@/lib/accounts/setup";
import { SetupForm } from "./setup-form";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Set up Clicktrail" };

export default async function SetupPage() {
  // open only while the console has no user at all; closed for good afterwards
  if (!(await isSetupOpen(await getDb()))) redirect("/login");
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">
          <h1>Welcome to Clicktrail</h1>
        </CardTitle>
        <CardDescription>Create your workspace and its first admin. You can invite managers and marketers afterwards.</CardDescription>
      </CardHeader>
      <CardContent>
        <SetupForm />
      </CardContent>
    </Card>
  );
}
