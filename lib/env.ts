// The only reader of process.env. Validates the whole environment at once and names every
// missing or bad variable in one message. On the embedded default (no DATABASE_URL) the three
// secrets are generated once and kept beside the PGlite directory, so `npm start` needs no setup.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type HostRule, formatHostRule, parseHostRules } from "@/lib/egress";

const emptyAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) => z.preprocess(emptyAsUndefined, schema.default(fallback as never));

const base64Key32 = z.string().refine((v) => {
  try {
    return Buffer.from(v, "base64").length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(v);
  } catch {
    return false;
  }
}, "must be 32 random bytes encoded as base64 (generate one with `openssl rand -base64 32`)");

/** A comma-separated list of hosts (`gw.example.com`, `*.example.com`, `10.0.0.5:8080`, `[::1]`). */
const hostList = z.string().transform((v, ctx): HostRule[] => {
  try {
    return parseHostRules(v);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `must be a comma-separated list of hosts: ${(e as Error).message}` });
    return z.NEVER;
  }
});

export const envSchema = z.object({
  NODE_ENV: withDefault(z.enum(["development", "production", "test"]), "development"),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// or postgresql:// connection URL")),
  DATABASE_PREPARE: withDefault(z.enum(["true", "false"]), "true"),
  PGLITE_DIR: withDefault(z.string(), ".data/pglite"),
  AUTH_SECRET: optional(z.string().min(32, "must be at least 32 characters (`openssl rand -base64 32`)")),
  ENCRYPTION_KEY: optional(base64Key32),
  APP_URL: withDefault(z.url({ protocol: /^https?$/ }), "http://localhost:3000"),
  CRON_SECRET: optional(z.string().min(16, "must be at least 16 characters")),
  CRON_MODE: optional(z.enum(["internal", "external"])),
  GRAPH_API_BASE: withDefault(z.url({ protocol: /^https?$/ }), "https://graph.facebook.com"),
  /** hosts a Green API URL may point at besides Green's own (a self-hosted gateway); these may be private addresses */
  // (an already-parsed list is written back as text: the embedded default re-checks the parsed values with its secrets)
  GREEN_API_HOSTS: z.preprocess((v) => (Array.isArray(v) ? (v as HostRule[]).map(formatHostRule).join(",") : (emptyAsUndefined(v) ?? "")), hostList),
  /** hosts an outgoing-webhook URL may point at besides public HTTPS hosts (a receiver on a private network; tests: 127.0.0.1) */
  WEBHOOK_OUT_HOSTS: z.preprocess((v) => (Array.isArray(v) ? (v as HostRule[]).map(formatHostRule).join(",") : (emptyAsUndefined(v) ?? "")), hostList),
  GRAPH_API_VERSION: withDefault(z.string().regex(/^v\d+\.\d+$/, "must look like v24.0"), "v24.0"),
  /** the Telegram Bot API (the managers' bot); calls go to this host only. Tests point it at a fake on 127.0.0.1 */
  TELEGRAM_API_BASE: withDefault(z.url({ protocol: /^https?$/ }), "https://api.telegram.org"),
  META_APP_SECRET: optional(z.string().min(8)),
  WHATSAPP_VERIFY_TOKEN: optional(z.string().min(8, "must be at least 8 characters")),
  ADMIN_EMAIL: optional(z.email()),
  ADMIN_PASSWORD: optional(z.string().min(10, "must be at least 10 characters")),
  BOOTSTRAP_API_KEY: optional(z.string().min(24, "must be at least 24 characters")),
  VERCEL: optional(z.string()),
  WEBHOOK_PROCESSING: optional(z.enum(["thread", "inline"])),
  // behind a reverse proxy: "true" (one proxy) or the number of proxies in front of the app, whose
  // X-Forwarded-For entries are then trusted; "false" reads the TCP peer address instead
  TRUST_PROXY: optional(z.enum(["true", "false", "1", "2", "3", "4", "5"])),
});

type Issue = { name: string; message: string };
const present = (v: string | undefined) => typeof v === "string" && v.trim() !== "";

/** Cross-variable rules, checked on the raw values so they are reported even when other fields are bad. */
function crossFieldIssues(source: Record<string, string | undefined>): Issue[] {
  const issues: Issue[] = [];
  if (present(source.DATABASE_URL)) {
    for (const name of ["AUTH_SECRET", "ENCRYPTION_KEY", "CRON_SECRET"]) {
      if (!present(source[name])) issues.push({ name, message: "is required when DATABASE_URL is set" });
    }
  }
  if (source.WEBHOOK_PROCESSING === "thread" && !present(source.DATABASE_URL)) {
    issues.push({ name: "WEBHOOK_PROCESSING", message: "thread needs DATABASE_URL (the embedded database lives in one thread)" });
  }
  if (present(source.ADMIN_EMAIL) !== present(source.ADMIN_PASSWORD)) {
    const name = present(source.ADMIN_EMAIL) ? "ADMIN_PASSWORD" : "ADMIN_EMAIL";
    issues.push({ name, message: "is required together with the other ADMIN_* variable" });
  }
  return issues;
}

export type Env = Omit<z.output<typeof envSchema>, "AUTH_SECRET" | "ENCRYPTION_KEY" | "CRON_SECRET" | "CRON_MODE" | "WEBHOOK_PROCESSING" | "TRUST_PROXY"> & {
  AUTH_SECRET: string;
  ENCRYPTION_KEY: string;
  CRON_SECRET: string;
  CRON_MODE: "internal" | "external";
  /** where stored webhooks are processed: a worker thread (PostgreSQL servers) or the request thread */
  WEBHOOK_PROCESSING: "thread" | "inline";
  /** how many reverse proxies in front of the app append to X-Forwarded-For (0: none; Vercel: 1) */
  TRUST_PROXY: number;
  /** which generated secrets were loaded from (or written to) the embedded secrets file */
  generatedSecrets: string[];
  secretsFile: string | null;
};

export class EnvError extends Error {}

/** Formats every issue as `NAME must …` in one message. */
export function formatEnvIssues(error: z.ZodError | undefined, extra: Issue[] = []): string {
  const issues: Issue[] = (error?.issues ?? []).map((issue) => ({
    name: String(issue.path[0] ?? "environment"),
    message: (issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message).replace(/^Invalid input: /, ""),
  }));
  const lines = [...issues, ...extra.filter((x) => !issues.some((i) => i.name === x.name))].map((i) => `  - ${i.name} ${i.message}`);
  return `Invalid environment configuration:\n${lines.join("\n")}`;
}

type Secrets = { AUTH_SECRET: string; ENCRYPTION_KEY: string; CRON_SECRET: string };
const GENERATED = ["AUTH_SECRET", "ENCRYPTION_KEY", "CRON_SECRET"] as const;

/** Reads the embedded secrets file, generating (once) whichever secret is missing from both it and the env. */
export function loadEmbeddedSecrets(file: string, given: Partial<Secrets>) {
  let stored: Partial<Secrets> = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Secrets>;
  const generated: string[] = [];
  const next: Partial<Secrets> = { ...stored };
  for (const key of GENERATED) {
    if (given[key] || stored[key]) continue;
    next[key] = randomBytes(32).toString(key === "ENCRYPTION_KEY" ? "base64" : "base64url");
    generated.push(key);
  }
  if (generated.length > 0) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  }
  const fromFile = GENERATED.filter((key) => !given[key] && next[key]);
  return { secrets: { ...next, ...stripUndefined(given) } as Secrets, generated, fromFile };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Pure: validates a source (process.env in the app, a literal in tests). Throws EnvError. */
export function parseEnv(source: Record<string, string | undefined>, cwd = process.cwd()): Env {
  const parsed = envSchema.safeParse(source);
  const cross = crossFieldIssues(source);
  if (!parsed.success || cross.length > 0) throw new EnvError(formatEnvIssues(parsed.error, cross));
  const v = parsed.data;
  const cronMode = v.CRON_MODE ?? (v.VERCEL ? "external" : "internal");
  const trustProxy = v.TRUST_PROXY === undefined ? (v.VERCEL ? 1 : 0) : v.TRUST_PROXY === "true" ? 1 : v.TRUST_PROXY === "false" ? 0 : Number(v.TRUST_PROXY);
  // a long-lived server on PostgreSQL processes webhooks beside the request thread; PGlite lives in this
  // thread only, and a serverless function has no life after its response but after()
  const processing = v.WEBHOOK_PROCESSING ?? (v.DATABASE_URL && v.NODE_ENV === "production" && !v.VERCEL ? "thread" : "inline");
  if (v.DATABASE_URL) {
    return {
      ...(v as Required<typeof v>),
      CRON_MODE: cronMode,
      WEBHOOK_PROCESSING: processing,
      TRUST_PROXY: trustProxy,
      generatedSecrets: [],
      secretsFile: null,
    } as Env;
  }
  const pgliteDir = path.resolve(cwd, v.PGLITE_DIR);
  const secretsFile = path.join(path.dirname(pgliteDir), "secrets.json");
  const { secrets, generated } = loadEmbeddedSecrets(secretsFile, v);
  const recheck = envSchema.safeParse({ ...source, ...secrets });
  if (!recheck.success) throw new EnvError(formatEnvIssues(recheck.error));
  return {
    ...v,
    ...secrets,
    PGLITE_DIR: pgliteDir,
    CRON_MODE: cronMode,
    WEBHOOK_PROCESSING: "inline",
    TRUST_PROXY: trustProxy,
    generatedSecrets: generated,
    secretsFile,
  };
}

const g = globalThis as unknown as { __clicktrailEnv?: Env };

/** The validated environment of this process (memoised). Generated secrets are exported to
 * process.env too, so libraries that read it themselves (Auth.js) see the same values. */
export function getEnv(): Env {
  if (g.__clicktrailEnv) return g.__clicktrailEnv;
  const env = parseEnv(process.env);
  if (env.secretsFile) {
    for (const key of GENERATED) process.env[key] ??= env[key];
  }
  g.__clicktrailEnv = env;
  return env;
}

/** Forgets the memoised env (tests that change process.env). */
export function resetEnvForTests() {
  g.__clicktrailEnv = undefined;
}

/**
 * Tests that call route handlers: a complete environment (fixed secrets; a DATABASE_URL that is
 * never opened, so nothing is generated under .data/) plus `vars`. Returns a function that restores
 * the previous environment.
 */
export function setEnvForTests(vars: Record<string, string>): () => void {
  const next: Record<string, string> = {
    DATABASE_URL: "postgres://unused@127.0.0.1:1/unused",
    AUTH_SECRET: "test-auth-secret-0123456789abcdefghijkl",
    CRON_SECRET: "test-cron-secret-0123456789",
    ...vars,
  };
  const saved = Object.fromEntries(Object.keys(next).map((k) => [k, process.env[k]]));
  Object.assign(process.env, next);
  resetEnvForTests();
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvForTests();
  };
}
