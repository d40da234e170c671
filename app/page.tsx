import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { isSetupOpen } from "@/lib/accounts/setup";
import { currentUser } from "@/lib/auth";

// reads the database on every request: never prerendered at build time
export const dynamic = "force-dynamic";

export default async function Home() {
  if (await currentUser()) redirect("/dashboard");
  redirect((await isSetupOpen(await getDb())) ? "/setup" : "/login");
}
