#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and runs Conclave on embedded
# defaults (http://localhost:3000, data in ./data). Override with the
# environment variables listed in README.md.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
conclave_bootstrap runtime
scheme=http
if [[ " $* " == *" --self-signed "* || "${CONCLAVE_TLS_SELF_SIGNED:-0}" =~ ^(1|true|yes)$ || -n "${CONCLAVE_TLS_CERT:-}" ]]; then
  scheme=https
fi
say "starting on $scheme://localhost:${PORT:-3000}"
# Options after `npm start --` reach the server, e.g. `npm start -- --self-signed`.
exec node "$CONCLAVE_ROOT/apps/server/dist/main.js" "$@"
