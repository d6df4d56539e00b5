#!/bin/sh
# The host firewall rule coturn cannot express itself: through the TURN relay,
# the host's own public address (CONCLAVE_PUBLIC_IP) may be reached only on
# the media ports (CONCLAVE_RTC_PORT … CONCLAVE_RTC_PORT + CONCLAVE_WORKERS − 1).
#
# coturn 4.6 filters relay peers by address (denied-peer-ip/allowed-peer-ip),
# never by port, and the public address must stay allowed because the SFU is
# there. coturn.conf already has no-tcp-relay, so only UDP is relayed; this
# rule drops relayed UDP (sent from coturn's relay ports, min-port … max-port
# of coturn.conf) to the public address on any other port — e.g. Caddy's
# HTTP/3 on 443/udp, or coturn's own 3478.
#
# Prints an nftables ruleset (table inet conclave_turn) on stdout; with
# --apply, loads it with `nft -f -` (as root, on the host: the compose
# services use the host's network). Run it again after changing the
# variables; it replaces its own table and nothing else.
#
# Env:  CONCLAVE_PUBLIC_IP   the host's public IPv4 or IPv6 address (required)
#       CONCLAVE_RTC_PORT    first media port (default 40000)
#       CONCLAVE_WORKERS     media workers, one port each (default: the number of CPUs, as the app)
#       COTURN_CONF          where min-port/max-port are read (default: coturn.conf beside this repository's scripts)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
: "${CONCLAVE_PUBLIC_IP:?CONCLAVE_PUBLIC_IP must be set (the host's public address)}"
rtc=${CONCLAVE_RTC_PORT:-40000}
workers=${CONCLAVE_WORKERS:-$(nproc 2>/dev/null || echo 1)}
conf=${COTURN_CONF:-$here/../../coturn.conf}

is_port() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }
is_port "$rtc" || { echo "relay-firewall: CONCLAVE_RTC_PORT=$rtc is not a port" >&2; exit 1; }
case "$workers" in '' | *[!0-9]*) echo "relay-firewall: CONCLAVE_WORKERS=$workers is not a number" >&2; exit 1 ;; esac
[ "$workers" -ge 1 ] || { echo "relay-firewall: CONCLAVE_WORKERS must be at least 1" >&2; exit 1; }
last=$((rtc + workers - 1))
is_port "$last" || { echo "relay-firewall: the media ports end past 65535" >&2; exit 1; }
min=$(sed -n 's/^min-port=\([0-9]*\)$/\1/p' "$conf")
max=$(sed -n 's/^max-port=\([0-9]*\)$/\1/p' "$conf")
is_port "$min" && is_port "$max" || { echo "relay-firewall: no min-port/max-port in $conf" >&2; exit 1; }

case "$CONCLAVE_PUBLIC_IP" in
  *:*) family=ip6 ;;
  *.*.*.*) family=ip ;;
  *) echo "relay-firewall: CONCLAVE_PUBLIC_IP=$CONCLAVE_PUBLIC_IP is not an IP address" >&2; exit 1 ;;
esac
case "$CONCLAVE_PUBLIC_IP" in *[!0-9A-Fa-f:.]*) echo "relay-firewall: CONCLAVE_PUBLIC_IP=$CONCLAVE_PUBLIC_IP is not an IP address" >&2; exit 1 ;; esac

if [ "$rtc" = "$last" ]; then media=$rtc; else media="$rtc-$last"; fi
if [ "$min" -le "$last" ] && [ "$max" -ge "$rtc" ]; then
  echo "relay-firewall: the relay ports $min-$max overlap the media ports $media: move one of them" >&2; exit 1
fi

ruleset=$(cat <<RULES
table inet conclave_turn
delete table inet conclave_turn
table inet conclave_turn {
  chain output {
    type filter hook output priority 0; policy accept;
    # TURN relays (coturn.conf min-port … max-port) reach the host's public address only on the media ports.
    $family daddr $CONCLAVE_PUBLIC_IP udp sport $min-$max udp dport != $media counter reject
  }
}
RULES
)

if [ "${1:-}" = "--apply" ]; then
  printf '%s\n' "$ruleset" | nft -f -
  echo "relay-firewall: relayed UDP to $CONCLAVE_PUBLIC_IP allowed only on port(s) $media" >&2
else
  printf '%s\n' "$ruleset"
fi
