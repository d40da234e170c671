// The group writer's batching rules, with a recording write function in place of a database.
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { groupWriter } from "./group-writer";

const db = {} as Db;

function recorder(name: string, opts: { maxItems: number; maxInFlight?: number }, failOn?: string) {
  const writes: string[][] = [];
  let release: (() => void) | null = null;
  const hold = { on: false };
  const write = groupWriter<string>(
    name,
    async (_db, items) => {
      writes.push(items);
      if (hold.on) await new Promise<void>((r) => (release = r));
      if (failOn && items.includes(failOn)) throw new Error(`refused ${failOn}`);
    },
    opts,
  );
  return { write, writes, hold, release: () => release?.() };
}

describe("groupWriter", () => {
  it("groups the items that arrive while a write is in flight, and resolves each after its write", async () => {
    const r = recorder("t-inflight", { maxItems: 10 });
    r.hold.on = true;
    const first = r.write(db, "a");
    const rest = [r.write(db, "b"), r.write(db, "c")];
    expect(r.writes).toEqual([["a"]]);
    r.hold.on = false;
    r.release();
    await Promise.all([first, ...rest]);
    expect(r.writes).toEqual([["a"], ["b", "c"]]);
  });

  it("lets lingering items wait for company, and an item that does not linger takes them along at once", async () => {
    const r = recorder("t-linger", { maxItems: 10 });
    const lingering = [r.write(db, "a", { lingerMs: 1000 }), r.write(db, "b", { lingerMs: 1000 })];
    await new Promise((res) => setTimeout(res, 20));
    expect(r.writes).toEqual([]);
    await Promise.all([...lingering, r.write(db, "now")]);
    expect(r.writes).toEqual([["a", "b", "now"]]);
    await Promise.all([r.write(db, "x", { lingerMs: 15 }), r.write(db, "y", { lingerMs: 15 })]);
    expect(r.writes.at(-1)).toEqual(["x", "y"]);
  });

  it("splits groups at maxItems and fails only the item the write refuses", async () => {
    const r = recorder("t-split", { maxItems: 2 }, "bad");
    r.hold.on = true;
    const first = r.write(db, "first");
    const rest = ["a", "bad", "c"].map((x) =>
      r.write(db, x).then(
        () => "ok",
        (e: Error) => e.message,
      ),
    );
    r.hold.on = false;
    r.release();
    await first;
    expect(await Promise.all(rest)).toEqual(["ok", "refused bad", "ok"]);
    expect(r.writes).toEqual([["first"], ["a", "bad"], ["a"], ["bad"], ["c"]]);
  });

  it("answers each caller with its own item's result, also when a failed group is written one by one", async () => {
    const writes: string[][] = [];
    const write = groupWriter<string, string>(
      "t-results",
      async (_db, items) => {
        writes.push(items);
        if (items.length > 1 && items.includes("bad")) throw new Error("refused");
        return items.map((x) => x.toUpperCase());
      },
      { maxItems: 10 },
    );
    const first = write(db, "a");
    const rest = ["b", "bad", "c"].map((x) => write(db, x));
    expect(await Promise.all([first, ...rest])).toEqual(["A", "B", "BAD", "C"]);
    expect(writes).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
  });
});
