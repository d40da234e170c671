import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { z } from "zod";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { isSetupOpen } from "@/lib/accounts/setup";
import { currentUser } from "@/lib/auth";
import { LoginForm } from "./login-form";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Sign in" };

const searchSchema = z.object({ callbackUrl: z.string().optional().catch(undefined) });

export default async function LoginPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await currentUser()) redirect("/dashboard");
  if (await isSetupOpen(await getDb())) redirect("/setup");
  const { callbackUrl } = searchSchema.parse(await props.searchParams);
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">
          <h1>Sign in</h1>
        </CardTitle>
        <CardDescription>Enter your email and password to open the console.</CardDescription>
      </CardHeader>
      <CardContent>
        <LoginForm callbackUrl={callbackUrl} />
      </CardContent>
    </Card>
  );
}
