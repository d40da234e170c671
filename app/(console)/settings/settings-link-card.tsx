import { ChevronRight, type LucideIcon } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

/** A Settings section that lives on its own page: the whole card links there, with a count and a warning badge. */
export function SettingsLinkCard({
  href,
  icon: Icon,
  title,
  warning,
  description,
  testId,
}: {
  href: string;
  icon: LucideIcon;
  title: string;
  warning: string | null;
  description: string;
  testId: string;
}) {
  return (
    <Card className="relative transition-colors hover:bg-muted/40">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Icon className="size-4" aria-hidden />
          <h2>
            <Link href={href} className="after:absolute after:inset-0" data-testid={testId}>
              {title}
            </Link>
          </h2>
          {warning ? <Badge variant="destructive">{warning}</Badge> : null}
          <ChevronRight className="ml-auto size-4 text-muted-foreground" aria-hidden />
        </CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
    </Card>
  );
}
