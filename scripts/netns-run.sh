#!/bin/sh
# Runs CMD inside a fresh network namespace that has only `lo`, with the
# RFC 2544 benchmarking addresses 198.18.0.1..198.18.0.40/32 added to it.
# Nothing a test starts can reach any other network from there: real
# BitTorrent clients that try a public bootstrap node get "network unreachable".
#
#   scripts/netns-run.sh node --test --test-concurrency=1 test/interop/
#
# Why 198.18.x and not 127.x: Transmission 3.00 drops 127.x peers that a
# tracker returns, and clients keep one peer entry per IP, so every role needs
# its own address (see /work/shared/INTEROP-NOTES.md and test/helpers/netns.ts).
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

if [ "${COUNTERSEED_NETNS_INNER:-}" != "1" ]; then
  # As root a plain network namespace; otherwise a user namespace maps us to
  # root inside it so that `ip addr add` is allowed there.
  if [ "$(id -u)" -eq 0 ]; then
    exec unshare --net env COUNTERSEED_NETNS_INNER=1 "$0" "$@"
  else
    exec unshare --net --map-root-user env COUNTERSEED_NETNS_INNER=1 "$0" "$@"
  fi
fi

# Refuse to touch a namespace that has any interface besides lo: the marker
# variable alone must never make us add addresses to a host's loopback.
others=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); if ($1 != "lo") print $1 }' /proc/net/dev)
if [ -n "$others" ]; then
  echo "$0: not in an isolated namespace (interfaces: $others); refusing" >&2
  exit 3
fi

ip link set lo up
i=1
while [ "$i" -le 40 ]; do
  ip addr add "198.18.0.$i/32" dev lo
  i=$((i + 1))
done

exec "$@"
