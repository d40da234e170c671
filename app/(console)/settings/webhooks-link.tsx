import { ChevronRight, Webhook } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

/** Settings → Webhooks: how many endpoints there are, and whether any was switched off for failing. */
export function WebhooksLink({ total, disabled }: { total: number; disabled: number }) {
  return (
    <Card className="relative transition-colors hover:bg-muted/40">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Webhook className="size-4" aria-hidden />
          <h2>
            <Link href="/settings/webhooks" className="after:absolute after:inset-0" data-testid="settings-webhooks-link">
              Webhooks — {total} {total === 1 ? "endpoint" : "endpoints"}
            </Link>
          </h2>
          {disabled > 0 ? <Badge variant="destructive">{disabled} switched off</Badge> : null}
          <ChevronRight className="ml-auto size-4 text-muted-foreground" aria-hidden />
        </CardTitle>
        <CardDescription>Send new subscribers, leads, conversions and more to your own systems as signed JSON.</CardDescription>
      </CardHeader>
    </Card>
  );
}
