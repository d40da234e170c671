// Postgres error inspection that works for both drivers (drizzle wraps the driver error in `cause`).
type PgErrorLike = { code?: string; constraint?: string; constraint_name?: string; cause?: unknown };

function pgError(e: unknown): PgErrorLike | null {
  let current: unknown = e;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const candidate = current as PgErrorLike;
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return null;
}

/** True for a unique violation (23505), optionally of one named constraint/index. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = pgError(e);
  if (!err || err.code !== "23505") return false;
  return !constraint || (err.constraint ?? err.constraint_name) === constraint;
}

/** True for a foreign-key violation (23503): the referenced row is gone. */
export function isForeignKeyViolation(e: unknown): boolean {
  return pgError(e)?.code === "23503";
}
