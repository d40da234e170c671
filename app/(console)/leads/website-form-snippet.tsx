import { CopyButton } from "@/components/console/copy-button";

/** The call a website form (or a CRM) makes to hand a lead over, ready to copy. */
export function websiteFormCurl(appUrl: string): string {
  const body = JSON.stringify({ name: "Anna", phone: "+7 900 123-45-67", segment: "acting", source: "website", externalRef: "form-100481" });
  return [
    `curl -X POST ${new URL("/api/v1/leads", appUrl).toString()} \\`,
    `  -H "Authorization: Bearer $CLICKTRAIL_API_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${body}'`,
  ].join("\n");
}

export function WebsiteFormSnippet({ appUrl }: { appUrl: string }) {
  const text = websiteFormCurl(appUrl);
  return (
    <div className="grid w-full max-w-2xl gap-2 text-left">
      <div className="flex items-center justify-between gap-2">
        <span className="text-xs font-medium text-muted-foreground">From your website form</span>
        <CopyButton value={text} label="Copy command" />
      </div>
      <pre
        tabIndex={0}
        role="region"
        aria-label="Example request from a website form"
        data-testid="website-form-curl"
        className="overflow-x-auto rounded-md border bg-muted/50 p-3 font-mono text-xs leading-relaxed whitespace-pre focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
      >
        {text}
      </pre>
      <p className="text-xs text-muted-foreground">
        Send <code>externalRef</code> (your form submission id) so a retried submission never makes two leads; the same one again answers 200 with the first
        lead.
      </p>
    </div>
  );
}
