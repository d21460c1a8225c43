#!/usr/bin/python3
"""Load generator for bench/serve.bench.ts: ONE process holding N libtorrent
2.0.8 sessions, each one downloader with its own address and listen port, all
downloading from one seeder at once. The same generator runs against
counterseed and against the libtorrent reference seeder.

  /usr/bin/python3 bench/lib/lt_load.py '{"seeder": {"host": H, "port": P, "pid": PID},
      "torrents": [PATH, ...], "n": N, "bindAddrs": [ADDR, ...], "outDir": DIR,
      "timeoutS": S, "settleS": S, "crypto": "plain" | "rc4"}'

Downloader i downloads torrents[i % len(torrents)] into outDir/d<i> (a tmpfs,
so disk writes do not pace the run) from bindAddrs[i % len(bindAddrs)].
Seeder CPU (utime+stime of every thread, /proc/PID/stat) is sampled here,
right before the first connect and right after the last completion, so no
pipe latency lands in the figures; then all torrents are paused (every
connection closes) and CPU is sampled once more after settleS, so work the
seeder does because of the downloads (closing sessions, writing delivery
records) counts too. Prints exactly one JSON line on stdout: the result.

Each session: no default plugins (no PEX), DHT/LSD/UPnP/NAT-PMP off, TCP
only. The seeder is found through a one-peer tracker in this process
(announce_stub.py, which says why not handle.connect_peer): every torrent is
added paused with that tracker, then all are resumed at once. Every wait is
bounded by timeoutS.
"""
import json
import os
import signal
import sys
import time

import libtorrent as lt

from announce_stub import AnnounceStub

# Polling every session's alert queue this often bounds the error on the
# last-completion time; 32 sessions x 100/s is a few percent of one core.
POLL_S = 0.01
# Time allowed for every session to listen.
PREPARE_TIMEOUT_S = 60
MAX_DOWNLOADERS = 1000
CLK_TCK = os.sysconf('SC_CLK_TCK')


class LoadError(Exception):
    pass


def cpu_seconds(pid):
    """utime + stime of all threads of pid (proc(5): fields 14 and 15)."""
    with open(f'/proc/{pid}/stat', 'rb') as f:
        stat = f.read().decode('latin1')
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rindex(')') + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory_bytes(pid):
    """VmHWM (peak resident set), RssAnon and RssFile of pid (proc(5), in kB).

    RssFile matters for libtorrent 2.0, whose disk I/O maps the files it
    serves: those page-cache pages count in its resident set."""
    want = {'VmHWM:': 'peak', 'RssAnon:': 'anon', 'RssFile:': 'file'}
    out = {}
    with open(f'/proc/{pid}/status', 'r', encoding='latin1') as f:
        for line in f:
            key = line.split(None, 1)[0] if line.strip() else ''
            if key in want:
                out[want[key]] = int(line.split()[1]) * 1024
    if 'peak' not in out:
        raise LoadError(f'no VmHWM in /proc/{pid}/status')
    return out


def own_cpu_seconds():
    t = os.times()
    return t.user + t.system


def session_settings(addr, crypto):
    s = {
        'listen_interfaces': f'{addr}:0',
        'outgoing_interfaces': addr,
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        # bench:serve compares TCP with TCP; bench:utp (COUNTERSEED_BENCH_TRANSPORT=utp) uTP with uTP:
        # the downloaders then connect over uTP only (INTEROP-NOTES: never compare uTP with TCP).
        **({'enable_outgoing_tcp': False, 'enable_incoming_tcp': False} if os.environ.get('COUNTERSEED_BENCH_TRANSPORT') == 'utp'
           else {'enable_incoming_utp': False, 'enable_outgoing_utp': False}),
        # A few threads per session: N sessions share 2 cores with the seeder.
        'aio_threads': 2, 'hashing_threads': 1,
        'alert_mask': lt.alert_category.error | lt.alert_category.status | lt.alert_category.connect,
    }
    if crypto == 'rc4':
        s.update({'in_enc_policy': lt.enc_policy.forced, 'out_enc_policy': lt.enc_policy.forced,
                  'allowed_enc_level': lt.enc_level.rc4, 'prefer_rc4': True})
    else:
        s.update({'in_enc_policy': lt.enc_policy.disabled, 'out_enc_policy': lt.enc_policy.disabled})
    return s


def prepare(spec, tracker_url, stop):
    n = int(spec['n'])
    if not 1 <= n <= MAX_DOWNLOADERS:
        raise LoadError(f'n must be 1..{MAX_DOWNLOADERS}')
    infos = [lt.torrent_info(p) for p in spec['torrents']]
    addrs = spec['bindAddrs']
    sessions, handles, sizes = [], [], []
    for i in range(n):
        ses = lt.session(session_settings(addrs[i % len(addrs)], spec.get('crypto', 'plain')), 0)
        ti = infos[i % len(infos)]
        atp = lt.add_torrent_params()
        atp.ti = ti
        atp.trackers = [tracker_url]
        atp.save_path = os.path.join(spec['outDir'], f'd{i}')
        # Paused until every downloader exists, so that they all start together.
        atp.flags = (atp.flags & ~lt.torrent_flags.auto_managed) | lt.torrent_flags.paused
        sessions.append(ses)
        handles.append(ses.add_torrent(atp))
        sizes.append(ti.total_size())
    deadline = time.monotonic() + PREPARE_TIMEOUT_S
    while not stop['now']:
        if all(ses.is_listening() for ses in sessions):
            return sessions, handles, sizes
        if time.monotonic() > deadline:
            raise LoadError(f'downloaders not listening after {PREPARE_TIMEOUT_S}s')
        time.sleep(POLL_S)
    raise LoadError('stopped by signal')


def run(spec, stop):
    seeder = spec['seeder']
    pid = int(seeder['pid'])
    stub = AnnounceStub(seeder['host'], seeder['host'], int(seeder['port']))
    try:
        return measure(spec, pid, stub, stop)
    finally:
        stub.close()


def measure(spec, pid, stub, stop):
    sessions, handles, sizes = prepare(spec, stub.url, stop)
    n = len(handles)
    done_at = [None] * n
    connected_at = [None] * n
    errors = []

    cpu0, own0 = cpu_seconds(pid), own_cpu_seconds()
    t0 = time.monotonic()
    for h in handles:
        h.resume()

    deadline = t0 + float(spec['timeoutS'])
    remaining = n
    while remaining > 0 and not stop['now'] and time.monotonic() < deadline:
        for i, ses in enumerate(sessions):
            for al in ses.pop_alerts():
                if isinstance(al, lt.peer_connect_alert) and connected_at[i] is None:
                    connected_at[i] = time.monotonic()
                elif isinstance(al, lt.torrent_finished_alert) and done_at[i] is None:
                    done_at[i] = time.monotonic()
                    remaining -= 1
                elif isinstance(al, (lt.torrent_error_alert, lt.file_error_alert, lt.listen_failed_alert)):
                    errors.append(f'd{i}: {al.message()}')
        if remaining > 0:
            time.sleep(POLL_S)
    t_end = time.monotonic()
    finished = [t for t in done_at if t is not None]
    last = max(finished) if remaining == 0 else t_end
    # Wall time runs from the first connection attempt (peer_connect_alert):
    # the announce before it is not serving.
    connects = [t for t in connected_at if t is not None]
    first = min(connects) if connects else t0
    cpu_end, own_end = cpu_seconds(pid), own_cpu_seconds()

    # Verify before pausing: libtorrent has checked every piece against the
    # .torrent's SHA-1s, so seeding means the content is byte-exact.
    per = []
    for i, h in enumerate(handles):
        st = h.status()
        ok = done_at[i] is not None and st.is_seeding and st.total_wanted_done == sizes[i]
        per.append({'ok': bool(ok), 'seconds': None if done_at[i] is None else done_at[i] - first,
                    'payloadBytes': st.total_payload_download, 'size': sizes[i]})
    for h in handles:
        h.pause()
    settle_until = time.monotonic() + float(spec['settleS'])
    while time.monotonic() < settle_until and not stop['now']:
        time.sleep(min(0.05, max(0.0, settle_until - time.monotonic())))
    cpu_settled = cpu_seconds(pid)
    mem = memory_bytes(pid)

    for ses in sessions:
        ses.pause()
    return {
        'n': n,
        'ok': sum(1 for p in per if p['ok']),
        'timedOut': remaining > 0,
        'wallS': last - first,
        'bytesDelivered': sum(p['size'] for p in per if p['ok']),
        'payloadBytesReceived': sum(p['payloadBytes'] for p in per),
        'seederCpuS': cpu_end - cpu0,
        'seederCpuSettledS': cpu_settled - cpu0,
        'seederPeakRssBytes': mem['peak'],
        'seederRssAnonBytesAtEnd': mem.get('anon'),
        'seederRssFileBytesAtEnd': mem.get('file'),
        'loadgenCpuS': own_end - own0,
        'downloaderSeconds': [p['seconds'] for p in per],
        'connectSeconds': [None if c is None else c - first for c in connected_at],
        'announces': stub.count,
        'errors': errors[:20],
    }


def main():
    spec = json.loads(sys.argv[1])
    stop = {'now': False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))
    try:
        result = run(spec, stop)
    except LoadError as e:
        print(json.dumps({'error': str(e)}), flush=True)
        return 1
    print(json.dumps(result), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
