#!/usr/bin/env bash
# npm start: build when needed, then run the production server (embedded
# PostgreSQL unless DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-if-stale.sh
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
exec npx --no-install tsx server.ts "$@"
