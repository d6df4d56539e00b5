#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, then runs every test: the
# unit and integration suites of each package (vitest) and the real-browser
# suite (Playwright + Debian Chromium). Ends with one summary line.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
conclave_bootstrap test
cd "$CONCLAVE_ROOT"
mkdir -p test-results
rm -f test-results/*.json test-results/hostile-figures.jsonl

status=0
say "lint"
$PNPM exec eslint . || status=1
$PNPM exec prettier --check . || status=1

say "type-checking tests"
for project in packages/protocol/tsconfig.test.json packages/e2ee/tsconfig.test.json apps/server/tsconfig.test.json \
    apps/web/tsconfig.test.json apps/web/tsconfig.node.json e2e/tsconfig.json bench/tsconfig.json; do
  $PNPM exec tsc -p "$project" || status=1
done

for pkg in packages/protocol packages/e2ee apps/server apps/web; do
  name=$(basename "$pkg")
  say "unit tests: $pkg"
  (cd "$pkg" && $PNPM exec vitest run --reporter=default --reporter=json \
      --outputFile.json="$CONCLAVE_ROOT/test-results/vitest-$name.json") || status=1
done

say "benchmark helpers' own tests: bench/lib (synthetic RTP, sinks, timing)"
$PNPM exec tsx --test --test-reporter=dot bench/lib/*.test.ts || status=1

say "hostile-client suite: apps/server"
(cd apps/server && $PNPM exec vitest run --config vitest.hostile.config.ts --reporter=default --reporter=json \
    --outputFile.json="$CONCLAVE_ROOT/test-results/vitest-hostile.json") || status=1

say "browser tests (Chromium)"
CI=true $PNPM exec playwright test "$@" || status=1

node scripts/hostile-figures.mjs test-results/hostile-figures.jsonl || status=1
node scripts/test-summary.mjs test-results || status=1
exit $status
