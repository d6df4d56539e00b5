#!/usr/bin/env bash
# `npm run bench`: prints the benchmark figures quoted in README.md.
# Not a test: nothing here passes or fails on a number.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
# `npm run bench -- room-scale [options]`: one room of synthetic participants over the
# mediasoup workers (bench/room-scale.ts; `--help` lists its options). Only that one.
if [ "${1:-}" = room-scale ]; then
  shift
  conclave_bootstrap runtime
  cd "$CONCLAVE_ROOT"
  say "synthetic RTP self-tests"
  $PNPM exec tsx --test --test-reporter=dot bench/lib/*.test.ts
  say "room-scale benchmark (one room over the workers, synthetic participants)"
  exec $PNPM exec tsx bench/room-scale.ts "$@"
fi
conclave_bootstrap test
cd "$CONCLAVE_ROOT"
if [ -f packages/e2ee/package.json ] && grep -q '"bench"' packages/e2ee/package.json; then
  say "E2EE benchmark"
  $PNPM --filter ./packages/e2ee run bench
fi
say "call benchmark (join latency, server cost per participant)"
$PNPM exec tsx bench/call-bench.ts
