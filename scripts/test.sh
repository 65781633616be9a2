#!/usr/bin/env bash
# npm test: every test, on real parts. Installs missing Debian packages (as root),
# generates the Prisma client, runs the static checks (tsc, Biome's formatter and
# linter, the layer boundaries, shellcheck), builds, then runs unit tests,
# integration tests (real PostgreSQL, sshd, libvirtd) and browser tests
# (Chromium), and prints one closing line "tests: N passed, N failed" in which
# each failed static check counts as one failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export NEXT_TELEMETRY_DISABLED=1 CI="${CI:-}"
results=.data/test-results
rm -rf "$results" && mkdir -p "$results"

bash scripts/install-test-deps.sh || exit 1
node scripts/prisma-generate.mjs >/dev/null || { echo "prisma generate failed" >&2; exit 1; }

status=0
failed_checks=()
step() { echo; echo "=== $1"; }
check() { local name="$1"; shift; step "$name"; "$@" || { status=1; failed_checks+=("$name"); }; }

check "typecheck" npx --no-install tsc --noEmit -p .
check "lint: biome (format and lint; fix with npx biome check --write)" npx --no-install biome check --max-diagnostics=50 .
check "lint: layer boundaries" npx --no-install tsx scripts/check-boundaries.ts
# Every shell script: ours (scripts/) and the fixed scripts run on hosts (lib/hosts/scripts/).
check "lint: shellcheck" shellcheck scripts/*.sh scripts/lab/*.sh lib/hosts/scripts/*.sh

step "build (the integration and browser tests run the production server)"
bash scripts/build-if-stale.sh || exit 1

step "unit tests"
npx --no-install vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json" || status=1

step "integration tests (real PostgreSQL, OpenSSH, libvirt/QEMU)"
npx --no-install vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json" || status=1

step "browser tests (Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e.json" npx --no-install playwright test --reporter=list,json || status=1

# shellcheck disable=SC2016 # JavaScript, not shell: its ${…} are template literals
node -e '
const fs = require("fs");
let passed = 0, failed = 0, files = 0;
for (const name of process.argv.slice(2)) { failed++; console.log(`static check failed: ${name}`); }
for (const f of ["unit", "integration", "e2e"]) {
  const p = `${process.argv[1]}/${f}.json`;
  if (!fs.existsSync(p)) { failed++; console.log(`${f}: no results (the runner did not finish)`); continue; }
  const r = JSON.parse(fs.readFileSync(p, "utf8"));
  files++;
  // A file whose setup failed has its tests skipped, not failed: count the file as a failure.
  if (r.numPassedTests !== undefined) { passed += r.numPassedTests; failed += r.numFailedTests + (r.numFailedTestSuites ?? 0); }
  else { passed += r.stats.expected; failed += r.stats.unexpected + r.stats.flaky + (r.errors?.length ?? 0); }
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
if (passed === 0) { console.log("no test ran"); process.exit(1); }
process.exit(failed ? 1 : 0);
' "$results" "${failed_checks[@]}" || status=1
exit $status
