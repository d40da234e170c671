// PGlite allows one process per data directory and a second one silently loses rows
// (it writes a fake postmaster.pid and ignores it). We hold `<dir>.lock` with our pid instead.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type LockInfo = { pid: number; host: string; role: string; startedAt: string };

export class PgliteLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `The embedded database at ${dataDir} is in use by another process ` +
        `(${holder.role}, pid ${holder.pid}, since ${holder.startedAt}). ` +
        `PGlite allows one process per data directory and a second one would silently lose rows. ` +
        `Stop that process first (e.g. the running console), or set DATABASE_URL to use PostgreSQL.`,
    );
    this.name = "PgliteLockedError";
  }
}

export const lockFileFor = (dataDir: string) => `${path.resolve(dataDir)}.lock`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads the lock; returns null when there is none or its holder is gone (a stale lock). */
export function readLiveLock(dataDir: string): LockInfo | null {
  const file = lockFileFor(dataDir);
  let info: LockInfo;
  try {
    info = JSON.parse(fs.readFileSync(file, "utf8")) as LockInfo;
  } catch {
    return null;
  }
  if (info.host !== os.hostname() || info.pid === process.pid) return info.pid === process.pid ? null : info;
  return isAlive(info.pid) ? info : null;
}

/** Takes the lock for this process (released on exit). Throws PgliteLockedError if a live process holds it. */
export function acquirePgliteLock(dataDir: string, role: string): () => void {
  const file = lockFileFor(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: os.hostname(), role, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: "wx" });
      const release = () => {
        try {
          const current = JSON.parse(fs.readFileSync(file, "utf8")) as LockInfo;
          if (current.pid === process.pid) fs.unlinkSync(file);
        } catch {
          // already gone: nothing to release
        }
      };
      process.once("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = readLiveLock(dataDir);
      if (holder) throw new PgliteLockedError(dataDir, holder);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
