#!/usr/bin/env bash
# npm start: build when the build is missing or older than the sources, then run
# the production server (embedded PostgreSQL unless DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f lib/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt lib/generated/prisma/client.ts ]; then
  node scripts/prisma-generate.mjs >/dev/null
fi
stale=$(find app components lib prisma next.config.ts postcss.config.mjs package-lock.json -newer .next/BUILD_ID -not -path 'lib/generated/*' -print -quit 2>/dev/null || echo missing)
if [ ! -f .next/BUILD_ID ] || [ -n "$stale" ]; then
  echo "[hostdeck] building the app (first start, or sources changed)…"
  NEXT_TELEMETRY_DISABLED=1 npx --no-install next build >/tmp/hostdeck-build.$$.log 2>&1 || { cat /tmp/hostdeck-build.$$.log; exit 1; }
  rm -f /tmp/hostdeck-build.$$.log
fi
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
exec npx --no-install tsx server.ts "$@"
