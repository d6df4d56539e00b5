#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and runs Conclave on embedded
# defaults (http://localhost:3000, data in ./data). Override with the
# environment variables listed in README.md.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
conclave_bootstrap runtime
say "starting on http://localhost:${PORT:-3000}"
exec node "$CONCLAVE_ROOT/apps/server/dist/main.js"
