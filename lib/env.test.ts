import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

const key32 = Buffer.alloc(32, 1).toString("base64");
const tmpDirs: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-env-"));
  tmpDirs.push(dir);
  return dir;
};
afterEach(() => tmpDirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("parseEnv", () => {
  it("names every missing or bad variable in one message", () => {
    let message = "";
    try {
      parseEnv({ DATABASE_URL: "postgres://x@localhost/db", ENCRYPTION_KEY: "short", APP_URL: "not a url", CRON_MODE: "sometimes" });
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      message = (e as Error).message;
    }
    for (const name of ["AUTH_SECRET", "ENCRYPTION_KEY", "APP_URL", "CRON_MODE", "CRON_SECRET"]) expect(message).toContain(name);
    expect(message).toContain("is required when DATABASE_URL is set");
    expect(message).toContain("32 random bytes");
  });

  it("requires ADMIN_EMAIL and ADMIN_PASSWORD together", () => {
    expect(() => parseEnv({ ADMIN_EMAIL: "a@b.co", PGLITE_DIR: path.join(tmp(), "pg") })).toThrow(/ADMIN_PASSWORD is required together/);
  });

  it("accepts a complete Postgres configuration and applies defaults", () => {
    const env = parseEnv({
      DATABASE_URL: "postgresql://u@db.example.com:5432/app",
      AUTH_SECRET: "x".repeat(32),
      ENCRYPTION_KEY: key32,
      CRON_SECRET: "c".repeat(16),
      GRAPH_API_BASE: "",
    });
    expect(env.APP_URL).toBe("http://localhost:3000");
    expect(env.GRAPH_API_BASE).toBe("https://graph.facebook.com");
    expect(env.GRAPH_API_VERSION).toMatch(/^v\d+\.\d+$/);
    expect(env.CRON_MODE).toBe("internal");
    expect(env.secretsFile).toBeNull();
  });

  it("defaults CRON_MODE to external on Vercel", () => {
    const env = parseEnv({ DATABASE_URL: "postgres://u@h/d", AUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: key32, CRON_SECRET: "c".repeat(16), VERCEL: "1" });
    expect(env.CRON_MODE).toBe("external");
  });

  it("processes webhooks in a worker thread only on a long-lived production server on Postgres", () => {
    const pg = { DATABASE_URL: "postgres://u@h/d", AUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: key32, CRON_SECRET: "c".repeat(16) };
    expect(parseEnv({ ...pg, NODE_ENV: "production" }).WEBHOOK_PROCESSING).toBe("thread");
    expect(parseEnv({ ...pg, NODE_ENV: "production", VERCEL: "1" }).WEBHOOK_PROCESSING).toBe("inline");
    expect(parseEnv({ ...pg, NODE_ENV: "test" }).WEBHOOK_PROCESSING).toBe("inline");
    expect(parseEnv({ ...pg, NODE_ENV: "production", WEBHOOK_PROCESSING: "inline" }).WEBHOOK_PROCESSING).toBe("inline");
    expect(parseEnv({ NODE_ENV: "production", PGLITE_DIR: path.join(tmp(), "pg") }).WEBHOOK_PROCESSING).toBe("inline");
    expect(() => parseEnv({ WEBHOOK_PROCESSING: "thread", PGLITE_DIR: path.join(tmp(), "pg") })).toThrow(/WEBHOOK_PROCESSING thread needs DATABASE_URL/);
  });

  it("prepares statements on Postgres unless DATABASE_PREPARE=false, and names a bad value", () => {
    const pg = { DATABASE_URL: "postgres://u@h/d", AUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: key32, CRON_SECRET: "c".repeat(16) };
    expect(parseEnv(pg).DATABASE_PREPARE).toBe("true");
    expect(parseEnv({ ...pg, DATABASE_PREPARE: "false" }).DATABASE_PREPARE).toBe("false");
    expect(() => parseEnv({ ...pg, DATABASE_PREPARE: "no" })).toThrow(/DATABASE_PREPARE/);
  });

  it("generates the embedded secrets once and reuses them", () => {
    const dir = tmp();
    const first = parseEnv({ PGLITE_DIR: "data/pglite" }, dir);
    expect(first.generatedSecrets.sort()).toEqual(["AUTH_SECRET", "CRON_SECRET", "ENCRYPTION_KEY"]);
    expect(Buffer.from(first.ENCRYPTION_KEY, "base64")).toHaveLength(32);
    expect(first.secretsFile).toBe(path.join(dir, "data", "secrets.json"));
    expect(fs.statSync(first.secretsFile!).mode & 0o777).toBe(0o600);
    const second = parseEnv({ PGLITE_DIR: "data/pglite" }, dir);
    expect(second.generatedSecrets).toEqual([]);
    expect([second.AUTH_SECRET, second.ENCRYPTION_KEY, second.CRON_SECRET]).toEqual([first.AUTH_SECRET, first.ENCRYPTION_KEY, first.CRON_SECRET]);
  });

  it("reads GREEN_API_HOSTS as a list of hosts and names a bad entry", () => {
    const pg = { DATABASE_URL: "postgres://u@h/d", AUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: key32, CRON_SECRET: "c".repeat(16) };
    expect(parseEnv(pg).GREEN_API_HOSTS).toEqual([]);
    expect(parseEnv({ ...pg, GREEN_API_HOSTS: "green-gw.internal:8080, *.gw.example.com" }).GREEN_API_HOSTS).toEqual([
      { host: "green-gw.internal", wildcard: false, port: 8080 },
      { host: "gw.example.com", wildcard: true, port: null },
    ]);
    expect(parseEnv({ GREEN_API_HOSTS: "127.0.0.1", PGLITE_DIR: path.join(tmp(), "pg") }).GREEN_API_HOSTS).toEqual([
      { host: "127.0.0.1", wildcard: false, port: null },
    ]);
    expect(() => parseEnv({ ...pg, GREEN_API_HOSTS: "https://gw.example.com/api" })).toThrow(/GREEN_API_HOSTS must be a comma-separated list of hosts/);
  });

  it("prefers secrets given in the environment over generated ones", () => {
    const dir = tmp();
    const env = parseEnv({ PGLITE_DIR: "pg", AUTH_SECRET: "a".repeat(40) }, dir);
    expect(env.AUTH_SECRET).toBe("a".repeat(40));
    expect(env.generatedSecrets.sort()).toEqual(["CRON_SECRET", "ENCRYPTION_KEY"]);
  });
});
