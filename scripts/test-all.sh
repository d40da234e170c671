#!/usr/bin/env bash
# npm test: lint, typecheck, vitest (PGlite always; Postgres too when TEST_DATABASE_URL is set),
# then a production build and Playwright in Debian Chromium. Every suite runs; the exit status
# is non-zero if any failed, and the output ends with the runners' own summaries.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

status=0
step() { echo; echo "── $1"; shift; "$@" || status=1; }

step "lint" npx eslint .
step "typecheck" npx tsc --noEmit
step "vitest" npx vitest run
step "next build" npx next build
step "playwright" npx playwright test -c e2e

rm -rf .e2e-data
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  # drop the throwaway e2e databases of this run (test databases drop themselves)
  node -e '
    const postgres = require("postgres");
    const sql = postgres(process.env.TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    (async () => {
      for (const { datname } of await sql`select datname from pg_database where datname like ${"clicktrail_e2e_%"}`)
        await sql.unsafe(`drop database if exists "${datname}" with (force)`);
      await sql.end();
    })().catch(() => process.exit(0));
  ' >/dev/null 2>&1 || true
fi
exit $status
