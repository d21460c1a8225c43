#!/usr/bin/python3
"""libtorrent 2.0.8 side of bench/connections.bench.ts: one session seeding the
same info dicts counterseed serves (each torrent's file a symlink to the one
payload, added in seed mode), with the limits that would otherwise cap it at far
fewer than 10,000 peers raised to the values counterseed gets in the same run.

  /usr/bin/python3 bench/lib/connections_lt.py '{"infos": FILE, "payload": FILE,
      "saveDir": DIR, "bind": "127.0.0.1", "connections": 20000, "backlog": 1024,
      "idleTimeoutS": 3600, "profile": "high_performance_seed" | "default"}'

infos FILE: records "<length>\\n<bencoded info dict>" (as bench/many-decoys.bench.ts).
DHT, LSD, UPnP, NAT-PMP off, no default plugins (no PEX), TCP only. Prints
`ready {"port": P, "torrents": N, "settings": {...}}` once every torrent is
added, then runs until SIGTERM/SIGINT and exits 0.
"""
import json
import os
import sys

import libtorrent as lt

# The shared seeding loop lives with the other reference-client helpers.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'helpers'))
from lt_seeding import add_all, seed_params, serve_until_stopped, stop_flag  # noqa: E402

ADD_TIMEOUT_S = 300
MAX_TORRENTS = 200_000
REPORTED = ['connections_limit', 'listen_queue_size', 'inactivity_timeout', 'peer_timeout', 'handshake_timeout',
            'allow_multiple_connections_per_ip', 'unchoke_slots_limit', 'close_redundant_connections']


def read_infos(path):
    raw = open(path, 'rb').read()
    infos, pos = [], 0
    while pos < len(raw):
        nl = raw.index(b'\n', pos)
        ln = int(raw[pos:nl])
        infos.append(raw[nl + 1:nl + 1 + ln])
        pos = nl + 1 + ln
        if len(infos) > MAX_TORRENTS:
            sys.exit(f'connections_lt: more than {MAX_TORRENTS} torrents')
    return infos


def session_settings(spec):
    base = lt.high_performance_seed() if spec.get('profile') == 'high_performance_seed' else {}
    idle = int(spec['idleTimeoutS'])
    base.update({
        'listen_interfaces': f"{spec['bind']}:0",
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'enable_incoming_utp': False, 'enable_outgoing_utp': False,
        'in_enc_policy': lt.enc_policy.enabled, 'out_enc_policy': lt.enc_policy.enabled,
        'active_downloads': -1, 'active_seeds': -1, 'active_limit': -1,
        # Capacity, not policy: the defaults (200 connections, one per IP, a listen backlog of 5,
        # idle peers dropped after 20 s in high_performance_seed) would cap it long before 10,000.
        # Measured here: libtorrent 2.0.8 accepts incoming peers only up to about 2/3 of
        # connections_limit (7,516 of 10,000 at a limit of 11,260; 10,666 of 15,000 at 15,984),
        # and lowers the limit itself to 80% of RLIMIT_NOFILE: the benchmark passes 2x the
        # connections and raises RLIMIT_NOFILE accordingly.
        'connections_limit': int(spec['connections']),
        'allow_multiple_connections_per_ip': True,
        'listen_queue_size': int(spec['backlog']),
        'inactivity_timeout': idle,
        'peer_timeout': idle,
        'alert_mask': lt.alert_category.error | lt.alert_category.status,
    })
    return base


def main():
    spec = json.loads(sys.argv[1])
    stop = stop_flag()

    infos = read_infos(spec['infos'])
    ses = lt.session(session_settings(spec), 0)  # flags 0: no default plugins (keeps ut_pex out)
    params = []
    for info in infos:
        ti = lt.torrent_info(lt.bdecode(b'd4:info' + info + b'e'))
        path = os.path.join(spec['saveDir'], ti.name())
        if not os.path.lexists(path):
            os.symlink(spec['payload'], path)
        params.append(seed_params(ti, spec['saveDir']))
    added = add_all(ses, params, 'connections_lt', stop, ADD_TIMEOUT_S)
    effective = ses.get_settings()
    return serve_until_stopped(ses, stop, {'port': ses.listen_port(), 'torrents': added,
                                           'settings': {k: effective.get(k) for k in REPORTED}})


if __name__ == '__main__':
    sys.exit(main())
