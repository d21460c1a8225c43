"""Shared seeding loop for the libtorrent 2.0.8 reference seeders (test/helpers/lt_seed.py,
bench/lib/lt_ref_seed.py, bench/lib/connections_lt.py). Each script builds its own session
settings (what they compare differs); adding torrents in seed mode, waiting for them, and
serving until SIGTERM/SIGINT is the same everywhere and lives here.
"""
import json
import signal
import sys
import time

import libtorrent as lt

# The loops wake at least this often to notice a signal.
WAKE_MS = 250


def stop_flag():
    """A dict whose 'now' turns True on SIGTERM or SIGINT."""
    stop = {'now': False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))
    return stop


def seed_params(ti, save_path, renamed_files=None):
    """add_torrent_params for a complete torrent: seed mode (no hash check), not queued, not paused."""
    atp = lt.add_torrent_params()
    atp.ti = ti
    atp.save_path = save_path
    if renamed_files:
        atp.renamed_files = renamed_files
    atp.flags = (atp.flags | lt.torrent_flags.seed_mode) & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    return atp


def add_all(ses, params, who, stop, timeout_s):
    """Adds every torrent and waits (bounded) until libtorrent confirms each; exits on failure."""
    for atp in params:
        ses.async_add_torrent(atp)
    added, deadline = 0, time.monotonic() + timeout_s
    while added < len(params) and not stop['now']:
        if time.monotonic() > deadline:
            sys.exit(f'{who}: only {added}/{len(params)} torrents added in {timeout_s}s')
        ses.wait_for_alert(WAKE_MS)
        for al in ses.pop_alerts():
            if isinstance(al, lt.add_torrent_alert):
                if al.error.value() != 0:
                    sys.exit(f'{who}: add failed: {al.message()}')
                added += 1
            elif isinstance(al, lt.listen_failed_alert):
                sys.exit(f'{who}: {al.message()}')
    return added


def serve_until_stopped(ses, stop, ready):
    """Prints `ready {json}`, serves until signalled, reports errors on stderr, pauses the session."""
    print('ready ' + json.dumps(ready), flush=True)
    while not stop['now']:
        ses.wait_for_alert(WAKE_MS)
        for al in ses.pop_alerts():
            if isinstance(al, (lt.torrent_error_alert, lt.file_error_alert, lt.listen_failed_alert)):
                print(f'error {al.message()}', file=sys.stderr, flush=True)
    ses.pause()
    return 0
