#!/usr/bin/python3
"""Reference seeder: libtorrent 2.0.8 seeding N torrents from one address.

Used to validate the interop client drivers without counterseed, and by the
benchmark to seed the same decoys side by side with counterseed.

  /usr/bin/python3 test/helpers/lt_seed.py --bind 198.18.0.3 --port 0 \
      --data DIR  [--content FILE]  TORRENT_OR_DIR...

Content comes from DIR/<info.name> per torrent, or with --content from one
file shared by every torrent (decoys of one payload). Torrents are added in
seed mode (no hash check). DHT, LSD, UPnP, NAT-PMP are off and the session has
no default plugins: only ut_metadata (BEP 9) is added, so magnets work and PEX
stays out. Prints `ready {"port": P, "torrents": N}` once listening with every
torrent added, then runs until SIGTERM/SIGINT and exits 0.
"""
import argparse
import os
import sys

import libtorrent as lt

from lt_seeding import add_all, seed_params, serve_until_stopped, stop_flag

# Bounded startup: adding torrents should take ~0.1 ms each (see INTEROP-NOTES).
ADD_TIMEOUT_S = 600
MAX_TORRENTS = 200_000


def torrent_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            out.extend(sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith('.torrent')))
        else:
            out.append(p)
    if not out:
        sys.exit('lt_seed: no .torrent files given')
    if len(out) > MAX_TORRENTS:
        sys.exit(f'lt_seed: more than {MAX_TORRENTS} torrents')
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bind', required=True, help='address to listen on and connect/announce from')
    ap.add_argument('--port', type=int, default=0, help='0 picks a free port')
    ap.add_argument('--data', required=True, help='directory holding <info.name> of each torrent')
    ap.add_argument('--content', help='one file that is the content of every torrent')
    ap.add_argument('--encryption', choices=['enabled', 'forced', 'disabled'], default='enabled')
    ap.add_argument('--utp', action='store_true', help="speak uTP too (libtorrent's default)")
    ap.add_argument('torrents', nargs='+')
    a = ap.parse_args()

    stop = stop_flag()

    enc = {'enabled': lt.enc_policy.enabled, 'forced': lt.enc_policy.forced, 'disabled': lt.enc_policy.disabled}[a.encryption]
    settings = {
        'listen_interfaces': f'{a.bind}:{a.port}',
        'outgoing_interfaces': a.bind,
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        # TCP only unless --utp: the harness's capture decodes TCP (--utp: the uTP reference for time to first piece).
        **({} if a.utp else {'enable_incoming_utp': False, 'enable_outgoing_utp': False}),
        'in_enc_policy': enc, 'out_enc_policy': enc,
        # Every torrent active: no queueing of seeds.
        'active_downloads': -1, 'active_seeds': -1, 'active_limit': -1, 'active_checking': -1,
        'dont_count_slow_torrents': False,
        'allow_multiple_connections_per_ip': True,
        'alert_mask': lt.alert_category.error | lt.alert_category.status,
        'alert_queue_size': 100_000,
    }
    ses = lt.session(settings, 0)  # flags 0: no default plugins (keeps ut_pex out)
    ses.add_extension('ut_metadata')

    files = torrent_files(a.torrents)
    renamed = {0: os.path.abspath(a.content)} if a.content else None
    added = add_all(ses, [seed_params(lt.torrent_info(path), a.data, renamed) for path in files], 'lt_seed', stop, ADD_TIMEOUT_S)
    return serve_until_stopped(ses, stop, {'port': ses.listen_port(), 'torrents': added})


if __name__ == '__main__':
    sys.exit(main())
