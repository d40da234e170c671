// Group commit for small writes: items that arrive while a write is in flight queue up and go to the
// database together in the next statement (one statement, one commit) instead of one each. Every
// caller resumes only once its own item is committed. An item may also wait `lingerMs` for company
// (when nobody waits for it); one that does not linger starts a write at once if one may start. When a
// group fails, its items are written one by one, so one bad item never fails its neighbours.
import type { Db } from "@/db/client";

type Waiting<T> = { item: T; resolve: () => void; reject: (e: unknown) => void };
type Writer<T> = { queue: Waiting<T>[]; inFlight: number; timer: NodeJS.Timeout | null };

export type GroupWriterOptions = {
  /** items per statement */
  maxItems: number;
  /** statements in flight at once (more keeps the caller's thread busy while one commit is pending) */
  maxInFlight?: number;
};

/**
 * A writer per database handle. `name` keeps one set of writers per process even when a bundler
 * instantiates this module more than once.
 */
export function groupWriter<T>(
  name: string,
  write: (db: Db, items: T[]) => Promise<void>,
  { maxItems, maxInFlight = 1 }: GroupWriterOptions,
): (db: Db, item: T, opts?: { lingerMs?: number }) => Promise<void> {
  const g = globalThis as unknown as { __clicktrailGroupWriters?: Map<string, WeakMap<Db, Writer<T>>> };
  const registry = (g.__clicktrailGroupWriters ??= new Map());
  let writers = registry.get(name);
  if (!writers) registry.set(name, (writers = new WeakMap()));
  const perDb = writers;

  async function flush(db: Db, w: Writer<T>): Promise<void> {
    if (w.timer) clearTimeout(w.timer);
    w.timer = null;
    w.inFlight++;
    try {
      while (w.queue.length > 0) {
        const batch = w.queue.splice(0, maxItems);
        try {
          await write(db, batch.map((x) => x.item));
          for (const x of batch) x.resolve();
        } catch (e) {
          if (batch.length === 1) batch[0]!.reject(e);
          else for (const x of batch) await write(db, [x.item]).then(x.resolve, x.reject);
        }
      }
    } finally {
      w.inFlight--;
    }
  }

  return (db, item, { lingerMs = 0 } = {}) => {
    let w = perDb.get(db);
    if (!w) perDb.set(db, (w = { queue: [], inFlight: 0, timer: null }));
    const writer = w;
    return new Promise<void>((resolve, reject) => {
      writer.queue.push({ item, resolve, reject });
      if (writer.inFlight >= maxInFlight) return; // a running flush takes it next
      if (lingerMs > 0) writer.timer ??= setTimeout(() => void flush(db, writer), lingerMs);
      else void flush(db, writer);
    });
  };
}
