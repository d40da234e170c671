"use client";

import { AlertTriangle, Database, DownloadCloud, Plus, Target } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useOptimistic, useState, useTransition } from "react";
import { toast } from "sonner";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";
import { setAutoLeadSubmittedAction, syncDatasetAction } from "../actions";

/**
 * A Cloud number's Conversions API set-up: its dataset (read from Meta, or created there) and the automatic
 * LeadSubmitted event. Meta's error is shown as Meta wrote it, since that is what its support asks for.
 */
export function ConversionsApiCard({ id, datasetId, autoLeadSubmitted }: { id: string; datasetId: string | null; autoLeadSubmitted: boolean }) {
  const router = useRouter();
  const [syncing, startSync] = useTransition();
  const [saving, startSave] = useTransition();
  const [busy, setBusy] = useState<"fetch" | "create" | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [autoOn, setAutoOn] = useOptimistic(autoLeadSubmitted);

  const sync = (create: boolean) => {
    setBusy(create ? "create" : "fetch");
    startSync(async () => {
      const result = await syncDatasetAction({ id, create });
      setBusy(null);
      if (!result.ok) {
        setFailure(result.error);
        setNote(null);
        toast.error(create ? "Meta did not create the dataset" : "Meta did not return the dataset");
        return;
      }
      setFailure(null);
      if (result.data.datasetId) {
        setNote(null);
        toast.success(result.data.message);
      } else {
        setNote(result.data.message);
        toast.info(result.data.message);
      }
      router.refresh();
    });
  };

  const toggleAuto = (enabled: boolean) =>
    startSave(async () => {
      setAutoOn(enabled);
      const result = await setAutoLeadSubmittedAction({ id, enabled });
      if (!result.ok) toast.error(result.error);
      else toast.success(enabled ? "LeadSubmitted is now sent automatically for new ad conversations" : "Automatic LeadSubmitted is off");
      router.refresh();
    });

  return (
    <Card data-testid="conversions-api-card">
      <CardHeader>
        <CardTitle>
          <h2 className="flex items-center gap-2">
            <Target className="size-4" aria-hidden />
            Conversions API
          </h2>
        </CardTitle>
        <CardDescription>
          Leads and sales from this number reach Meta through its WhatsApp Business Account&apos;s dataset (Events Manager). The access token needs the
          whatsapp_business_manage_events permission.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="flex flex-wrap items-center gap-2.5 rounded-md border p-3 text-sm" role="status" aria-live="polite">
          <Database className="size-4 text-muted-foreground" aria-hidden />
          {datasetId ? (
            <span>
              Dataset <code data-testid="dataset-id">{datasetId}</code>
            </span>
          ) : (
            <span data-testid="dataset-missing">No dataset set: conversions from this number cannot be sent yet.</span>
          )}
        </div>
        {note ? <p className="text-sm text-muted-foreground">{note}</p> : null}
        {failure ? (
          <Alert variant="destructive" data-testid="dataset-error">
            <AlertTriangle aria-hidden />
            <AlertTitle>Meta answered with an error</AlertTitle>
            <AlertDescription>
              <p className="break-words">{failure}</p>
            </AlertDescription>
          </Alert>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <Button type="button" variant="outline" onClick={() => sync(false)} disabled={syncing}>
            {busy === "fetch" ? <Spinner /> : <DownloadCloud aria-hidden />}
            Fetch from Meta
          </Button>
          {datasetId ? null : (
            <Button type="button" variant="outline" onClick={() => sync(true)} disabled={syncing}>
              {busy === "create" ? <Spinner /> : <Plus aria-hidden />}
              Create dataset
            </Button>
          )}
          <Button asChild variant="ghost">
            <Link href={`/conversions?numberId=${id}`}>View conversions</Link>
          </Button>
        </div>
        <p className="text-xs text-muted-foreground">
          {datasetId
            ? "“Fetch from Meta” reads this WhatsApp Business Account's dataset again, e.g. after it was changed in Events Manager."
            : "“Fetch from Meta” reads the dataset this WhatsApp Business Account already has; “Create dataset” makes one when it has none (Meta returns the existing one if there is)."}
        </p>
        <div className="flex items-start gap-3 border-t pt-4">
          <Switch
            id="auto-lead-submitted"
            checked={autoOn}
            onCheckedChange={toggleAuto}
            disabled={!datasetId || saving}
            aria-describedby="auto-lead-submitted-hint"
            className="mt-0.5"
          />
          <div className="grid gap-1">
            <Label htmlFor="auto-lead-submitted" className="leading-snug">
              Send LeadSubmitted automatically on the first message of an ad-attributed conversation
            </Label>
            <p id="auto-lead-submitted-hint" className="text-xs text-muted-foreground">
              {datasetId
                ? "When someone writes after clicking a Click-to-WhatsApp ad, Meta learns at once that the ad brought a lead; your CRM can still report later steps (Purchase …)."
                : "Set a dataset first: the automatic event needs somewhere to go."}
            </p>
          </div>
          {saving ? <Spinner /> : null}
        </div>
      </CardContent>
    </Card>
  );
}
