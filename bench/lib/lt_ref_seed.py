#!/usr/bin/python3
"""Reference seeder for bench/serve.bench.ts: libtorrent 2.0.8 seeding the
same .torrent files counterseed serves, from a save dir that holds each
torrent's content under its info.name.

  /usr/bin/python3 bench/lib/lt_ref_seed.py '{"bind": "198.18.0.1",
      "saveDir": DIR, "torrents": [PATH, ...], "slots": 64,
      "profile": "default" | "high_performance_seed"}'

Why not test/helpers/lt_seed.py: the benchmark must not cap libtorrent below
counterseed, so this one also raises unchoke_slots_limit and connections_limit
(defaults 8 and 200) to the same slot count counterseed gets, and can start
from libtorrent's own high_performance_seed() preset.

DHT, LSD, UPnP, NAT-PMP off, no default plugins (no PEX), TCP only (uTP on
loopback is slow, and counterseed speaks TCP only). Prints
`ready {"port": P, "torrents": N}` once every torrent is added in seed mode,
then runs until SIGTERM/SIGINT and exits 0.
"""
import json
import os
import sys

import libtorrent as lt

# The shared seeding loop lives with the other reference-client helpers.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'helpers'))
from lt_seeding import add_all, seed_params, serve_until_stopped, stop_flag  # noqa: E402

ADD_TIMEOUT_S = 120
MAX_TORRENTS = 10_000


def session_settings(spec):
    base = lt.high_performance_seed() if spec.get('profile') == 'high_performance_seed' else {}
    slots = int(spec['slots'])
    base.update({
        'listen_interfaces': f"{spec['bind']}:0",
        'outgoing_interfaces': spec['bind'],
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        # TCP only for bench:serve; uTP on (its default) for bench:utp, whose downloaders speak uTP only.
        **({} if os.environ.get('COUNTERSEED_BENCH_TRANSPORT') == 'utp' else {'enable_incoming_utp': False, 'enable_outgoing_utp': False}),
        # Accept whatever the downloaders offer (plaintext or MSE), like counterseed.
        'in_enc_policy': lt.enc_policy.enabled, 'out_enc_policy': lt.enc_policy.enabled,
        'unchoke_slots_limit': slots,
        'connections_limit': max(slots * 2, 200),
        # Every torrent active: no queueing of seeds.
        'active_downloads': -1, 'active_seeds': -1, 'active_limit': -1,
        'dont_count_slow_torrents': False,
        # Downloaders may share an address; libtorrent would otherwise drop the second one.
        'allow_multiple_connections_per_ip': True,
        'alert_mask': lt.alert_category.error | lt.alert_category.status,
    })
    return base


def main():
    spec = json.loads(sys.argv[1])
    stop = stop_flag()

    torrents = spec['torrents']
    if len(torrents) > MAX_TORRENTS:
        sys.exit(f'lt_ref_seed: more than {MAX_TORRENTS} torrents')
    ses = lt.session(session_settings(spec), 0)  # flags 0: no default plugins (keeps ut_pex out)

    added = add_all(ses, [seed_params(lt.torrent_info(path), spec['saveDir']) for path in torrents], 'lt_ref_seed', stop, ADD_TIMEOUT_S)
    return serve_until_stopped(ses, stop, {'port': ses.listen_port(), 'torrents': added})


if __name__ == '__main__':
    sys.exit(main())
