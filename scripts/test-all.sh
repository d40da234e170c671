#!/usr/bin/env bash
# npm test: lint and typecheck (side by side), vitest (PGlite always; Postgres too when TEST_DATABASE_URL is set),
# then a production build and Playwright in Debian Chromium. Every suite runs; the exit status
# is non-zero if any failed, and the output ends with the runners' own summaries.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

status=0
step() { echo; echo "── $1"; shift; "$@" || status=1; }

# lint (eslint, then the import-cycle check) and typecheck side by side (one core each), each one's output shown whole
echo; echo "── lint and typecheck"
checks=$(mktemp -d)
npm run --silent lint >"$checks/lint" 2>&1 & lint=$!
npx tsc --noEmit >"$checks/typecheck" 2>&1 & types=$!
wait $lint || { status=1; echo "lint failed:"; }
cat "$checks/lint"
typed=1
wait $types || { status=1; typed=0; echo "typecheck failed:"; }
cat "$checks/typecheck"
rm -rf "$checks"

step "vitest" npx vitest run
# the build's own type check repeats the one above; it runs only when that one did not pass
step "next build" env CLICKTRAIL_TYPECHECKED=$typed npx next build
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
