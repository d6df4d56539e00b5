#!/usr/bin/env bash
# `npm run bench`: prints the benchmark figures quoted in README.md.
# Not a test: nothing here passes or fails on a number.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
conclave_bootstrap test
cd "$CONCLAVE_ROOT"
if [ -f packages/e2ee/package.json ] && grep -q '"bench"' packages/e2ee/package.json; then
  say "E2EE benchmark"
  $PNPM --filter ./packages/e2ee run bench
fi
say "call benchmark (join latency, server cost per participant)"
$PNPM exec tsx bench/call-bench.ts
