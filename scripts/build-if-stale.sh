#!/usr/bin/env bash
# Generates the Prisma client and builds the Next app when either is missing or
# older than its sources (used by npm start and the benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f lib/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt lib/generated/prisma/client.ts ]; then
  node scripts/prisma-generate.mjs >/dev/null
fi
stale=$(find app components lib prisma next.config.ts postcss.config.mjs package-lock.json -newer .next/BUILD_ID -not -path 'lib/generated/*' -print -quit 2>/dev/null || echo missing)
if [ ! -f .next/BUILD_ID ] || [ -n "$stale" ]; then
  echo "[hostdeck] building the app (first start, or sources changed)…"
  log=$(mktemp)
  NEXT_TELEMETRY_DISABLED=1 npx --no-install next build >"$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
  rm -f "$log"
fi
