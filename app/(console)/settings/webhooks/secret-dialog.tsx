"use client";

import { SecretValue } from "@/components/console/copy-button";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";

/** The signing secret, once: after creating an endpoint or rotating its secret. */
export function SecretDialog({ secret, title, onClose }: { secret: string | null; title: string; onClose: () => void }) {
  return (
    <Dialog open={secret !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>
            Copy the signing secret now: it will not be shown again. Your receiver checks the Clicktrail-Signature header of each delivery with it.
          </DialogDescription>
        </DialogHeader>
        {secret ? <SecretValue value={secret} testId="webhook-secret" /> : null}
        <DialogFooter>
          <Button onClick={onClose}>I have stored it</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
