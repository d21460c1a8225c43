#!/usr/bin/python3
"""libtorrent 2.0.8 downloader for the interop tests (driven by libtorrent.ts; also used by `counterseed validate`).

  /usr/bin/python3 lt_download.py '{"torrentFile"|"magnet": ..., "outDir": ..,
      "bindIp": .., "requireEncryption": bool, "timeoutSec": N}'

Prints one JSON object per line: {"status": ...} progress lines, then
{"done": PATH} on torrent_finished_alert (exit 0) or {"error": MSG} (exit 1).
DHT, LSD, UPnP, NAT-PMP off; no default plugins (no PEX), ut_metadata only
for magnets (BEP 9); uTP and TCP at libtorrent's defaults (uTP preferred), bound to
bindIp for listening and connecting. Reports, once, the transport and the time from
adding the torrent to the first piece: {"first_piece_ms": N, "transport": "utp"|"tcp"}.
"""
import json
import os
import signal
import sys
import time

import libtorrent as lt

STATUS_EVERY_S = 2.0
# peer_info flag utp_socket (libtorrent 2.0 peer_info.hpp: bit 17, between holepunched 15 and rc4_encrypted 19);
# the Python bindings do not export it.
UTP_SOCKET = 1 << 17


def emit(obj):
    print(json.dumps(obj), flush=True)


def main():
    spec = json.loads(sys.argv[1])
    stop = {'now': False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))

    forced = bool(spec.get('requireEncryption'))
    # plaintext: no MSE at all (enc_policy.disabled), so captures decode every message.
    plain = bool(spec.get('plaintext'))
    policy = lt.enc_policy.forced if forced else (lt.enc_policy.disabled if plain else lt.enc_policy.enabled)
    # An IPv6 address is written in brackets in listen_interfaces (issue 10 item 2).
    host = f"[{spec['bindIp']}]" if ':' in spec['bindIp'] else spec['bindIp']
    settings = {
        'listen_interfaces': f"{host}:6881",
        'outgoing_interfaces': spec['bindIp'],
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        # tcpOnly: for captures that decode TCP only (validation); otherwise libtorrent's default, uTP first.
        **({'enable_incoming_utp': False, 'enable_outgoing_utp': False} if spec.get('tcpOnly') else {}),
        'in_enc_policy': policy,
        'out_enc_policy': policy,
        # Forced encryption means RC4 (MSE crypto_rc4), not MSE with plaintext.
        'allowed_enc_level': lt.enc_level.rc4 if forced else lt.enc_level.both,
        'prefer_rc4': forced,
        'alert_mask': lt.alert_category.error | lt.alert_category.status | lt.alert_category.peer
                      | lt.alert_category.tracker | lt.alert_category.connect | lt.alert_category.piece_progress,
    }
    ses = lt.session(settings, 0)  # no default plugins: keeps ut_pex out
    ses.add_extension('ut_metadata')

    if 'magnet' in spec:
        atp = lt.parse_magnet_uri(spec['magnet'])
    else:
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(spec['torrentFile'])
    atp.save_path = spec['outDir']
    atp.flags = (atp.flags & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused) | lt.torrent_flags.update_subscribe
    added = time.monotonic()
    handle = ses.add_torrent(atp)
    first_piece = False

    deadline = time.monotonic() + float(spec['timeoutSec'])
    last_status = 0.0
    while not stop['now']:
        if time.monotonic() > deadline:
            emit({'error': f"timeout after {spec['timeoutSec']}s"})
            return 1
        ses.wait_for_alert(500)
        for al in ses.pop_alerts():
            if isinstance(al, lt.piece_finished_alert) and not first_piece:
                first_piece = True
                peers = handle.get_peer_info()
                utp = any(int(p.flags) & UTP_SOCKET for p in peers)
                emit({'first_piece_ms': round((time.monotonic() - added) * 1000),
                      'transport': 'utp' if utp else ('tcp' if peers else 'unknown')})
            if isinstance(al, lt.torrent_finished_alert):
                st = handle.status()
                path = os.path.join(spec['outDir'], handle.torrent_file().files().file_path(0))
                emit({'done': path, 'total_done': st.total_done})
                ses.pause()
                return 0
            if isinstance(al, (lt.torrent_error_alert, lt.file_error_alert, lt.listen_failed_alert)):
                emit({'error': al.message()})
                return 1
            if isinstance(al, (lt.tracker_error_alert, lt.peer_error_alert, lt.peer_disconnected_alert,
                               lt.peer_connect_alert, lt.metadata_received_alert, lt.tracker_reply_alert)):
                emit({'event': al.message()})
        now = time.monotonic()
        if now - last_status >= STATUS_EVERY_S:
            last_status = now
            st = handle.status()
            emit({'status': str(st.state), 'progress': st.progress, 'peers': st.num_peers})
    emit({'error': 'stopped by signal'})
    return 1


if __name__ == '__main__':
    sys.exit(main())
