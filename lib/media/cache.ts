// A bounded in-process cache of fetched media: least recently used first out, bounded by the total bytes
// held; an entry larger than `maxEntryBytes` is never kept. Keyed by workspace and message, so one
// workspace's key can never name another's media. Per process: a restart or another instance fetches again.

export type CachedMedia = { contentType: string; bytes: Buffer; filename: string };

export type MediaCache = {
  get(key: string): CachedMedia | undefined;
  set(key: string, media: CachedMedia): void;
  /** bytes held now */
  readonly size: number;
  readonly count: number;
  clear(): void;
};

export const MEDIA_CACHE_MAX_BYTES = 64 * 1024 * 1024;

export const mediaCacheKey = (tenantId: string, messageId: string) => `${tenantId}:${messageId}`;

export function createMediaCache({
  maxBytes = MEDIA_CACHE_MAX_BYTES,
  maxEntryBytes = maxBytes,
}: { maxBytes?: number; maxEntryBytes?: number } = {}): MediaCache {
  const entries = new Map<string, CachedMedia>(); // insertion order = least recently used first
  let size = 0;
  const remove = (key: string) => {
    const old = entries.get(key);
    if (!old) return;
    entries.delete(key);
    size -= old.bytes.length;
  };
  return {
    get(key) {
      const hit = entries.get(key);
      if (!hit) return undefined;
      entries.delete(key);
      entries.set(key, hit);
      return hit;
    },
    set(key, media) {
      remove(key);
      if (media.bytes.length > maxEntryBytes || media.bytes.length > maxBytes) return;
      entries.set(key, media);
      size += media.bytes.length;
      for (const [oldest] of entries) {
        if (size <= maxBytes) break;
        remove(oldest);
      }
    },
    get size() {
      return size;
    },
    get count() {
      return entries.size;
    },
    clear() {
      entries.clear();
      size = 0;
    },
  };
}
