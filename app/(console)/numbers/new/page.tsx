import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { NumberForm } from "../number-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Connect a number" };

export default async function NewNumberPage() {
  await requireUser({ role: "manager" });
  return (
    <div className="grid gap-2">
      <PageHeader
        title="Connect a number"
        description="Fill in what Meta's dashboard (or your provider's console) shows. We test the connection as soon as you save, and show what to paste back into Meta."
      />
      <NumberForm />
    </div>
  );
}
