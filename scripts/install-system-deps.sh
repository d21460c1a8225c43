#!/usr/bin/env bash
# Installs the Debian packages the tests need (real BitTorrent clients, capture tools, namespaces)
# and makes sure the local PostgreSQL is running. Idempotent and quick when all is present.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have transmission-daemon || need+=(transmission-daemon)
have transmission-remote || need+=(transmission-cli)
have aria2c || need+=(aria2)
/usr/bin/python3 -c 'import libtorrent' >/dev/null 2>&1 || need+=(python3-libtorrent)
have ffmpeg || need+=(ffmpeg)
have ffprobe || need+=(ffmpeg)
have tshark || need+=(tshark)
have dumpcap || need+=(tshark)
have unshare || need+=(util-linux)
have pg_ctlcluster || need+=(postgresql)
have ip || need+=(iproute2)
have mktorrent || need+=(mktorrent)
have pdfinfo || need+=(poppler-utils)
have unzip || need+=(unzip)
have opentracker || need+=(opentracker)
# Headless browser for test/browser (issue 13), driven by playwright-core.
have chromium || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${need[*]} (run this script as root, or: sudo apt-get install ${need[*]})" >&2
    exit 69
  fi
  echo "installing Debian packages: ${need[*]}"
  # Debian daemons try to start on install; keep them down (we start what we need, by PID).
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  export DEBIAN_FRONTEND=noninteractive
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

# PostgreSQL is the multi-node store; start the machine's cluster if it is installed but down.
if have pg_ctlcluster && have pg_isready && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || echo "warning: could not start PostgreSQL" >&2
fi
# The PostgreSQL tests (store contract, centre) use the database "test"; each test makes its own schema in it.
if have pg_isready && pg_isready -q -h 127.0.0.1 -p 5432 && have runuser; then
  runuser -u postgres -- psql -qAtc "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>/dev/null | grep -q 1 \
    || runuser -u postgres -- createdb test 2>/dev/null || echo "warning: could not create the PostgreSQL database test" >&2
fi
echo "system dependencies ok"
