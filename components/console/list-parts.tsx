import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";

/** Why a list shows something other than its URL asked for (e.g. an out-of-date page link), or nothing. */
export function ListNotice({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p className="text-sm text-destructive" data-testid="list-notice">
      {text}
    </p>
  );
}

/** A table cell's error text, clamped to two lines (the whole text on hover), or a muted dash. */
export function ErrorText({ text, title }: { text: string | null | undefined; title?: string }) {
  if (!text) return <span className="text-muted-foreground">—</span>;
  return (
    <span className="line-clamp-2 break-words text-destructive" title={title ?? text}>
      {text}
    </span>
  );
}

/** Keyset paging links under a list: back to the first page, and on to the next one. */
export function KeysetPager({ firstHref, nextHref }: { firstHref: string | null; nextHref: string | null }) {
  if (!firstHref && !nextHref) return null;
  return (
    <nav aria-label="Pages" className="flex justify-end gap-2">
      {firstHref ? (
        <Button asChild variant="outline" size="sm">
          <Link href={firstHref}>First page</Link>
        </Button>
      ) : null}
      {nextHref ? (
        <Button asChild variant="outline" size="sm">
          <Link href={nextHref}>Next page</Link>
        </Button>
      ) : null}
    </nav>
  );
}

/** "← Numbers" above a detail page: back to its list. */
export function BackLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <div>
      <Link href={href} className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden />
        {children}
      </Link>
    </div>
  );
}

/** Beside a filter bar while the next view loads. */
export function LoadingNote() {
  return (
    <span className="inline-flex h-8 items-center gap-2 text-sm text-muted-foreground" role="status">
      <Spinner />
      Loading…
    </span>
  );
}
