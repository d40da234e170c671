import { ChevronRight, Megaphone } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

/** Settings → Audiences: how many Custom Audiences are connected, and whether any last sync failed. */
export function AudiencesLink({ total, failing }: { total: number; failing: number }) {
  return (
    <Card className="relative transition-colors hover:bg-muted/40">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Megaphone className="size-4" aria-hidden />
          <h2>
            <Link href="/settings/audiences" className="after:absolute after:inset-0" data-testid="settings-audiences-link">
              Audiences — {total} {total === 1 ? "audience" : "audiences"}
            </Link>
          </h2>
          {failing > 0 ? <Badge variant="destructive">{failing} failing</Badge> : null}
          <ChevronRight className="ml-auto size-4 text-muted-foreground" aria-hidden />
        </CardTitle>
        <CardDescription>Keep Meta Custom Audiences in step with your WhatsApp subscribers, for retargeting and lookalikes.</CardDescription>
      </CardHeader>
    </Card>
  );
}
