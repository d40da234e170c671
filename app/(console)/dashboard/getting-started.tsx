"use client";

import { Database, KeyRound, PhoneCall, Plus, Webhook } from "lucide-react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import { useLoadDemo } from "./use-demo-action";

const steps = [
  {
    icon: PhoneCall,
    title: "Connect a WhatsApp number",
    text: "Have your Phone Number ID, WhatsApp Business Account ID, a permanent access token and the app secret from Meta's dashboard ready (Green API and Gupshup numbers work too).",
  },
  {
    icon: Webhook,
    title: "Point Meta's webhook at Clicktrail",
    text: "Every inbound chat then becomes a subscriber, with the ad that brought them.",
  },
  {
    icon: KeyRound,
    title: "Let your sales system report conversions",
    text: "Create an API key in Settings; leads and purchases go back to Meta's Conversions API.",
  },
];

export function GettingStarted({ canLoadDemo, canConnect }: { canLoadDemo: boolean; canConnect: boolean }) {
  const { loadDemo, pending } = useLoadDemo();

  return (
    <Card data-testid="getting-started">
      <CardHeader>
        <CardTitle className="text-lg">
          <h2>No WhatsApp number connected yet</h2>
        </CardTitle>
        <CardDescription>Three steps and the figures below start filling in on their own.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        <ol className="grid gap-4 md:grid-cols-3">
          {steps.map(({ icon: Icon, title, text }, i) => (
            <li key={title} className="flex gap-3">
              <span className="grid size-8 shrink-0 place-items-center rounded-full bg-primary/10 text-primary">
                <Icon className="size-4" aria-hidden />
              </span>
              <div className="grid gap-1">
                <p className="text-sm font-medium">
                  {i + 1}. {title}
                </p>
                <p className="text-sm text-muted-foreground">{text}</p>
              </div>
            </li>
          ))}
        </ol>
        {canConnect ? (
          <div>
            <Button asChild>
              <Link href="/numbers/new">
                <Plus aria-hidden />
                Connect a number
              </Link>
            </Button>
          </div>
        ) : null}
        {canLoadDemo ? (
          <div className="flex flex-wrap items-center gap-3 rounded-md border border-dashed p-3">
            <p className="flex-1 text-sm text-muted-foreground">
              Want to look around first? Load a demo school with ad-attributed chats, drip templates, leads and conversions.
            </p>
            <Button variant="outline" onClick={loadDemo} disabled={pending}>
              {pending ? <Spinner /> : <Database aria-hidden />}
              Load demo data
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
