#!/bin/sh
# Starts coturn for Conclave: writes the run-time configuration (coturn.conf
# plus the values that come from .env: realm, shared secret, public address,
# TLS certificate) to a private file, then runs turnserver on it. The
# docker-compose coturn service runs this; so does the coturn integration
# test, with a test variant of coturn.conf.
#
# Env:  CONCLAVE_DOMAIN        realm, and the name whose certificate is used for TLS (required)
#       CONCLAVE_TURN_SECRET   the secret shared with the app (required)
#       CONCLAVE_PUBLIC_IP     relay address announced to clients (optional)
#       COTURN_CONF            static configuration (default /etc/coturn/conclave.conf)
#       COTURN_RUN_DIR         where the run-time file is written (default /tmp/conclave-coturn)
#       COTURN_CERT_DIR        searched for <domain>.crt/.key: Caddy's certificate store
#                              (default /caddy-data/caddy/certificates)
#       COTURN_CERT_WAIT       seconds to wait for that certificate to appear (default 0;
#                              docker-compose.yml waits 120 s, for Caddy's first certificate)
# Extra arguments are passed to turnserver.
set -eu

: "${CONCLAVE_DOMAIN:?CONCLAVE_DOMAIN must be set (the realm and TLS name)}"
: "${CONCLAVE_TURN_SECRET:?CONCLAVE_TURN_SECRET must be set (the secret shared with the app)}"
case "$CONCLAVE_TURN_SECRET" in
  *[[:space:]]*) echo "coturn: CONCLAVE_TURN_SECRET must not contain white space" >&2; exit 1 ;;
  *[Cc][Hh][Aa][Nn][Gg][Ee]-[Mm][Ee]* | *[Cc][Hh][Aa][Nn][Gg][Ee][Mm][Ee]*)
    echo "coturn: CONCLAVE_TURN_SECRET is still the example value: replace it with the output of openssl rand -hex 32" >&2; exit 1 ;;
esac
if [ "${#CONCLAVE_TURN_SECRET}" -lt 16 ]; then
  echo "coturn: CONCLAVE_TURN_SECRET must be at least 16 characters (openssl rand -hex 32)" >&2; exit 1
fi
conf_in=${COTURN_CONF:-/etc/coturn/conclave.conf}
run_dir=${COTURN_RUN_DIR:-/tmp/conclave-coturn}
cert_dir=${COTURN_CERT_DIR:-/caddy-data/caddy/certificates}
wait_s=${COTURN_CERT_WAIT:-0}

find_cert() {
  [ -d "$cert_dir" ] || return 1
  cert=$(find "$cert_dir" -type f -path "*/$CONCLAVE_DOMAIN/$CONCLAVE_DOMAIN.crt" 2>/dev/null | head -n 1)
  [ -n "$cert" ] && [ -f "${cert%.crt}.key" ]
}

cert=""
# On the very first start Caddy may still be fetching the certificate.
waited=0
until find_cert || [ "$waited" -ge "$wait_s" ]; do sleep 2; waited=$((waited + 2)); done
find_cert || cert=""

umask 077
mkdir -p "$run_dir"
conf="$run_dir/turnserver.conf"
{
  cat "$conf_in"
  echo
  echo "# --- added by scripts/coturn/entrypoint.sh ---"
  echo "realm=$CONCLAVE_DOMAIN"
  echo "static-auth-secret=$CONCLAVE_TURN_SECRET"
  if [ -n "${CONCLAVE_PUBLIC_IP:-}" ]; then echo "external-ip=$CONCLAVE_PUBLIC_IP"; fi
  if [ -n "$cert" ]; then
    echo "cert=$cert"
    echo "pkey=${cert%.crt}.key"
  else
    echo "no-tls"
  fi
} > "$conf"

if [ -n "$cert" ]; then
  echo "coturn: TLS on the tls-listening-port with $cert" >&2
else
  echo "coturn: no certificate for $CONCLAVE_DOMAIN in $cert_dir: TURN over TLS (turns:) is off until coturn restarts with one" >&2
fi
exec turnserver -c "$conf" "$@"
