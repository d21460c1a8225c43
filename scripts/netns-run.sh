#!/bin/sh
# Runs CMD inside a fresh network namespace that has only `lo`, with the
# RFC 2544 benchmarking addresses 198.18.0.1..198.18.0.40/32 and the IPv6
# documentation addresses 2001:db8::1..40/128 added to it.
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
# IPv6 (issue 10 item 2): the documentation prefix 2001:db8::/32 (RFC 3849), 2001:db8::1..40 (the
# digits read as hex), without duplicate address detection so they are usable at once. Skipped
# quietly when the kernel has IPv6 off; the IPv6 interop tests then say so and skip.
if [ -e /proc/net/if_inet6 ]; then
  i=1
  while [ "$i" -le 40 ]; do
    ip -6 addr add "2001:db8::$i/128" dev lo nodad 2>/dev/null || true
    i=$((i + 1))
  done
  # A default IPv6 route into lo, as a host with global IPv6 has one: clients that look for their
  # global address by routing towards a public one (Transmission 3.00 opens its IPv6 UDP socket,
  # hence uTP over IPv6, only then) find one. Nothing leaves: the namespace has no other interface.
  ip -6 route add default dev lo 2>/dev/null || true
fi

# Run CMD as a child, not by exec, so that this shell outlives it: when CMD ends, however it ends
# (even by SIGKILL from a test timeout), every process still left in this private namespace is
# stopped by PID below. A daemon a test started (transmission-daemon forks into the background)
# would otherwise keep running after an interrupted test; one was found 75 minutes later.
# `<&0` keeps stdin: a background command of a non-interactive shell otherwise reads /dev/null.
"$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM HUP
rc=0
wait "$child" || rc=$?
# wait returns early (status > 128) when a trapped signal arrives; wait again for the real end.
while kill -0 "$child" 2>/dev/null; do
  wait "$child" || rc=$?
done
trap - INT TERM HUP

# Every process whose network namespace is this one, except this shell, by PID. The namespace
# was made by this script's unshare and holds only what CMD started (checked above: only lo).
ours=$(readlink /proc/$$/ns/net)
for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  [ "$pid" = "$$" ] && continue
  if [ "$(readlink "$dir/ns/net" 2>/dev/null)" = "$ours" ]; then
    echo "$0: stopping leftover process $pid ($(tr '\0' ' ' < "$dir/cmdline" 2>/dev/null | cut -c1-80))" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
done
exit "$rc"
