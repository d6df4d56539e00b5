# Sourced by start.sh and test.sh: makes sure everything the app needs is on
# this machine, installing only what is missing, so a second run is quick.
#
#   conclave_bootstrap runtime   Debian build libraries, pnpm, node modules, mediasoup worker, build
#   conclave_bootstrap test      the same, plus the browsers and services the tests drive
#
# Exports PNPM (the pnpm command) and MEDIASOUP_WORKER_BIN.

CONCLAVE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PNPM_VERSION=10.34.9

say() { printf '\033[1;34m[conclave]\033[0m %s\n' "$*" >&2; }

# Installs the Debian packages of "$@" that are not installed yet.
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Debian starts coturn and caddy as system services when they are installed on
# a machine run by systemd (coturn with the package's open default config on
# 0.0.0.0:3478, caddy on :80). The tests only need their binaries and start
# their own, on loopback: mask the units before installing so the services
# never start. (Where systemd does not run, nothing starts them.)
ensure_apt_no_service() {
  local unit
  if [ -d /run/systemd/system ]; then
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    for unit in "$@"; do
      dpkg-query -W -f='${Status}' "$unit" 2>/dev/null | grep -q "install ok installed" && continue
      $sudo systemctl mask --quiet "$unit.service" >&2 || true
    done
  fi
  ensure_apt "$@"
}

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" = 10 ]; then
    PNPM=pnpm
    return 0
  fi
  # corepack cannot verify pnpm's signature here; a pinned copy from the npm registry works.
  local tools="$CONCLAVE_ROOT/.cache/tools"
  if [ ! -x "$tools/node_modules/.bin/pnpm" ]; then
    say "installing pnpm $PNPM_VERSION"
    npm install --silent --no-audit --no-fund --prefix "$tools" "pnpm@$PNPM_VERSION" >&2
  fi
  PNPM="$tools/node_modules/.bin/pnpm"
}

conclave_bootstrap() {
  local mode=${1:-runtime}
  cd "$CONCLAVE_ROOT"
  local major; major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    say "Node.js 20 or newer is needed (found $(node --version 2>/dev/null || echo none))"
    return 1
  fi
  ensure_apt ca-certificates
  ensure_pnpm
  say "node modules"
  CI=true $PNPM install --frozen-lockfile --prefer-offline --reporter=silent >&2
  say "mediasoup worker"
  MEDIASOUP_WORKER_BIN=$(bash "$CONCLAVE_ROOT/scripts/mediasoup-worker/build.sh")
  export MEDIASOUP_WORKER_BIN PNPM
  if [ "$mode" = test ]; then
    ensure_apt chromium firefox-esr iproute2 fonts-dejavu-core fonts-noto-color-emoji
    # Self-hosting tests: TURN through coturn; the compose file and Caddyfile read by the real tools;
    # nft loads scripts/coturn/relay-firewall.sh's rule into a test's own network namespace.
    ensure_apt docker-compose nftables
    ensure_apt_no_service coturn caddy
    # Multi-node tests start their own redis-server and PostgreSQL (initdb as the postgres user) on loopback.
    ensure_apt_no_service redis-server postgresql
  fi
  say "building"
  local log; log=$(mktemp)
  if ! $PNPM -r --workspace-concurrency=1 run build >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    say "build failed"
    return 1
  fi
  rm -f "$log"
}
