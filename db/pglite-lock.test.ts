import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquirePgliteLock, lockFileFor, PgliteLockedError, readLiveLock } from "./pglite-lock";

const dirs: string[] = [];
const children: { kill: () => void }[] = [];
const tmpDataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-lock-"));
  dirs.push(dir);
  return path.join(dir, "pglite");
};
afterEach(() => {
  children.splice(0).forEach((c) => c.kill());
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

/** A separate live process that holds the lock file, like a running console would. */
function holdLockInAnotherProcess(dataDir: string) {
  const info = JSON.stringify({ host: os.hostname(), role: "console server", startedAt: new Date().toISOString() });
  const child = spawn(process.execPath, [
    "-e",
    `
    const fs = require("fs");
    fs.writeFileSync(${JSON.stringify(lockFileFor(dataDir))}, JSON.stringify({ ...${info}, pid: process.pid }));
    console.log("locked");
    setInterval(() => {}, 1000);
  `,
  ]);
  children.push(child);
  return new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
}

describe("PGlite data directory lock", () => {
  it("refuses a second holder while the first process is alive", async () => {
    const dataDir = tmpDataDir();
    await holdLockInAnotherProcess(dataDir);
    expect(readLiveLock(dataDir)?.role).toBe("console server");
    expect(() => acquirePgliteLock(dataDir, "test")).toThrow(PgliteLockedError);
    expect(() => acquirePgliteLock(dataDir, "test")).toThrow(/in use by another process \(console server, pid \d+/);
  });

  it("takes over a stale lock whose process is gone, and releases it", () => {
    const dataDir = tmpDataDir();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    fs.writeFileSync(lockFileFor(dataDir), JSON.stringify({ pid: Number(dead), host: os.hostname(), role: "crashed", startedAt: "" }));
    const release = acquirePgliteLock(dataDir, "test");
    expect(JSON.parse(fs.readFileSync(lockFileFor(dataDir), "utf8")).pid).toBe(process.pid);
    release();
    expect(fs.existsSync(lockFileFor(dataDir))).toBe(false);
  });

  it("makes `npm run db:migrate` refuse with a clear message while the console holds the directory", async () => {
    const dataDir = tmpDataDir();
    await holdLockInAnotherProcess(dataDir);
    const run = spawnSync(path.resolve("node_modules/.bin/tsx"), ["scripts/db-migrate.ts"], {
      env: { ...process.env, DATABASE_URL: "", PGLITE_DIR: dataDir },
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/in use by another process .*console server.*Stop that process first/s);
    expect(fs.existsSync(path.join(dataDir, "PG_VERSION"))).toBe(false); // never opened
  });
});
