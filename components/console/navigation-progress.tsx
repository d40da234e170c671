"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";

// If a navigation never lands (an error page, a link something else intercepted), the bar gives up.
const GIVE_UP_MS = 15_000;

/** The in-app page a click on this link would open, or null when the click is not such a navigation. */
function navigationTarget(event: MouseEvent): string | null {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const anchor = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!(anchor instanceof HTMLAnchorElement)) return null;
  if ((anchor.target && anchor.target !== "_self") || anchor.hasAttribute("download")) return null;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith("/api/")) return null;
  // the same page (or an anchor on it) is no navigation
  if (url.pathname === window.location.pathname && url.search === window.location.search) return null;
  return url.pathname + url.search;
}

/**
 * A thin bar across the top of the window from the moment a link to another page is clicked until that
 * page is on screen, so a click never looks dead while the server renders.
 */
export function NavigationProgress() {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const here = search ? `${pathname}?${search}` : pathname;
  // the page the click left: the bar shows while the URL is still that one, so the landing hides it
  const [leaving, setLeaving] = useState<string | null>(null);
  const loading = leaving === here;
  const hereRef = useRef(here);
  useEffect(() => {
    hereRef.current = here;
  }, [here]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onClick = (event: MouseEvent) => {
      if (!navigationTarget(event)) return;
      const from = hereRef.current;
      setLeaving(from);
      clearTimeout(timer);
      timer = setTimeout(() => setLeaving((current) => (current === from ? null : current)), GIVE_UP_MS);
    };
    document.addEventListener("click", onClick);
    return () => {
      document.removeEventListener("click", onClick);
      clearTimeout(timer);
    };
  }, []);

  return (
    <div data-testid="navigation-progress" data-state={loading ? "loading" : "idle"} className="pointer-events-none fixed inset-x-0 top-0 z-[60] h-0.5">
      {loading ? <div role="progressbar" aria-label="Loading page" className="h-full origin-left animate-progress bg-primary" /> : null}
    </div>
  );
}
