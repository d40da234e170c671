"use client";

import { ImageOff } from "lucide-react";
import { useCallback, useState } from "react";

/**
 * An ad creative's picture, straight from Meta's CDN (no next/image: nothing is fetched by our server). Meta's
 * links expire; one that fails, even before hydration, gives way to a neutral placeholder of the same size.
 */
export function CreativeThumbnail({ src }: { src: string | null }) {
  const [failed, setFailed] = useState(false);
  // an error that happened before hydration attached onError: the image is already complete, with no pixels
  const ref = useCallback((img: HTMLImageElement | null) => {
    if (img?.complete && img.naturalWidth === 0) setFailed(true);
  }, []);
  if (!src || failed) {
    return (
      <span className="grid size-8 shrink-0 place-items-center rounded bg-muted text-muted-foreground" aria-hidden data-testid="creative-placeholder">
        <ImageOff className="size-4" />
      </span>
    );
  }
  return (
    // eslint-disable-next-line @next/next/no-img-element -- Meta's signed CDN links expire: never proxied or optimised by our server
    <img
      ref={ref}
      src={src}
      alt=""
      width={32}
      height={32}
      loading="lazy"
      referrerPolicy="no-referrer"
      onError={() => setFailed(true)}
      className="size-8 shrink-0 rounded bg-muted object-cover"
    />
  );
}
