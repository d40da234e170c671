// Group commit for small writes: items that arrive while a write is in flight queue up and go to the
// database together in the next statement (one statement, one commit) instead of one each. Every
// caller resumes only once its own item is committed. An item may also wait `lingerMs` for company
// (when nobody waits for it); one that does not linger starts a write at once if one may start. When a
// group fails, its items are written one by one, so one bad item never fails its neighbours. A write may
// answer each item (its results in the items' order), and each caller gets its own item's answer.
import type { Db } from "@/db/client";

type Waiting<T, R> = { item: T; resolve: (result: R) => void; reject: (e: unknown) => void };
type Writer<T, R> = { queue: Waiting<T, R>[]; inFlight: number; timer: NodeJS.Timeout | null };

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
export function groupWriter<T, R = void>(
  name: string,
  write: (db: Db, items: T[]) => Promise<R[] | void>,
  { maxItems, maxInFlight = 1 }: GroupWriterOptions,
): (db: Db, item: T, opts?: { lingerMs?: number }) => Promise<R> {
  const g = globalThis as unknown as { __clicktrailGroupWriters?: Map<string, WeakMap<Db, Writer<T, R>>> };
  const registry = (g.__clicktrailGroupWriters ??= new Map());
  let writers = registry.get(name);
  if (!writers) registry.set(name, (writers = new WeakMap()));
  const perDb = writers;

  const run = async (db: Db, batch: Waiting<T, R>[]) => {
    const results = await write(
      db,
      batch.map((x) => x.item),
    );
    batch.forEach((x, i) => x.resolve(results?.[i] as R));
  };

  async function flush(db: Db, w: Writer<T, R>): Promise<void> {
    if (w.timer) clearTimeout(w.timer);
    w.timer = null;
    w.inFlight++;
    try {
      while (w.queue.length > 0) {
        const batch = w.queue.splice(0, maxItems);
        try {
          await run(db, batch);
        } catch (e) {
          if (batch.length === 1) batch[0]!.reject(e);
          else for (const x of batch) await run(db, [x]).catch(x.reject);
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
    return new Promise<R>((resolve, reject) => {
      writer.queue.push({ item, resolve, reject });
      if (writer.inFlight >= maxInFlight) return; // a running flush takes it next
      if (lingerMs > 0) writer.timer ??= setTimeout(() => void flush(db, writer), lingerMs);
      else void flush(db, writer);
    });
  };
}
