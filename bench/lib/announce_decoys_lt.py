#!/usr/bin/python3
"""libtorrent 2.0.8 side of bench/announce-decoys.bench.ts: one session (default settings plus
isolation and "no active limits"), N torrents (the same info dicts counterseed serves) added in
seed mode, each with the same two trackers (HTTP and UDP opentracker) and the DHT on, bootstrapped
to the local DHT only. "All announced" = every torrent got a reply or an error from both trackers
(announce_to_all_trackers/tiers on, so both are announced to, as counterseed does).
Prints one JSON line with the same fields as announce-decoys-node.ts.

The harness holds next to nothing itself, so that libtorrent's RSS is libtorrent's: the info dicts
are read through mmap and parsed one by one (only the torrent_info objects, which libtorrent keeps
anyway, stay), and "answered" is one byte per torrent (a bit per tracker), found by the decoy's
number in its name (holiday-video-NNNNNNN.mp4). Before: the whole file, a list of its info dicts and
a set of (infohash, tracker) tuples, ~1 KB per torrent of Python objects on top of libtorrent's."""
import json, mmap, os, sys, time
import libtorrent as lt

spec = json.loads(sys.argv[1])

def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key + ':'): return int(line.split()[1]) / 1024

def read_infos(n):
    with open(spec['infos'], 'rb') as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as raw:
        pos = 0
        while pos < len(raw) and n > 0:
            nl = raw.find(b'\n', pos)
            ln = int(raw[pos:nl]); yield raw[nl + 1:nl + 1 + ln]; pos = nl + 1 + ln; n -= 1

tis = []
for info in read_infos(spec['n']):
    d = lt.bdecode(b'd4:info' + info + b'e')
    p = os.path.join(spec['saveDir'], d[b'info'][b'name'].decode())
    if not os.path.exists(p): os.symlink(spec['payload'], p)
    tis.append(lt.torrent_info(d))
    del d
n = len(tis)
print(f"[lt] parsed {n} info dicts: rss={status('VmRSS'):.0f} MB cpu={sum(os.times()[:2]):.0f}s", file=sys.stderr, flush=True)

pack = {'listen_interfaces': f"{spec['bind']}:0", 'outgoing_interfaces': spec['bind'],
        'enable_dht': bool(spec.get('dht')), 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'dht_restrict_routing_ips': False, 'dht_restrict_search_ips': False, 'dht_enforce_node_id': False,
        'announce_to_all_trackers': True, 'announce_to_all_tiers': True,
        'active_seeds': -1, 'active_limit': -1, 'active_downloads': -1, 'active_tracker_limit': -1, 'active_dht_limit': -1,
        'alert_queue_size': 1_000_000, 'alert_mask': lt.alert_category.status | lt.alert_category.error | lt.alert_category.tracker}
ses = lt.session(pack, 0)  # no default plugins: no PEX
if spec.get('dht'):
    h, p = spec['dht'].split(':'); ses.add_dht_node((h, int(p)))
t0 = time.monotonic()
for ti in tis:
    atp = lt.add_torrent_params()
    atp.ti = ti
    atp.save_path = spec['saveDir']
    atp.trackers = spec['trackers']
    atp.tracker_tiers = list(range(len(spec['trackers'])))
    atp.flags = (atp.flags | lt.torrent_flags.seed_mode) & ~lt.torrent_flags.paused & ~lt.torrent_flags.auto_managed
    ses.async_add_torrent(atp)
del tis, ti, atp  # each torrent keeps its own reference

answered = bytearray(n)
answered_count = 0
warned = set()
tracker_bit = {u: 1 << i for i, u in enumerate(spec['trackers'])}
added = 0
ready_ms = None
want = n * len(spec['trackers'])
deadline = time.monotonic() + spec['timeoutS']
failures = 0
errors = {}
next_log = time.monotonic()
while answered_count < want and time.monotonic() < deadline:
    ses.wait_for_alert(200)
    if time.monotonic() >= next_log:  # progress and RSS over time (a run stopped early still says where it was)
        next_log += 30
        print(f"[lt] {time.monotonic() - t0:.0f}s added={added}/{n} answered={answered_count}/{want} rss={status('VmRSS'):.0f} hwm={status('VmHWM'):.0f} cpu={sum(os.times()[:2]):.0f}s", file=sys.stderr, flush=True)
    for a in ses.pop_alerts():
        if isinstance(a, lt.add_torrent_alert):
            added += 1
            if added == n: ready_ms = (time.monotonic() - t0) * 1000; rss_ready = status('VmRSS')
        elif isinstance(a, (lt.tracker_reply_alert, lt.tracker_error_alert)):
            if isinstance(a, lt.tracker_error_alert):
                failures += 1
                m = f"{a.tracker_url()}: {a.error.message()} {a.error_message()}".strip()
                if m in errors or len(errors) < 8: errors[m] = errors.get(m, 0) + 1
            url = a.tracker_url()
            if url not in tracker_bit and url not in warned: warned.add(url); print(f'unknown tracker url {url}', file=sys.stderr)
            i, bit = int(a.torrent_name[14:21]), tracker_bit.get(url, 0)
            if bit and not answered[i] & bit: answered[i] |= bit; answered_count += 1
all_ms = (time.monotonic() - t0) * 1000
rss_all, peak_all = status('VmRSS'), status('VmHWM')
time.sleep(spec['steadyS'])
print(json.dumps({'decoys': n, 'cpuS': sum(os.times()[:2]), 'readyMs': ready_ms or all_ms, 'allAnnouncedMs': all_ms, 'rssAtReadyMb': rss_ready if ready_ms else rss_all,
                  'rssAllAnnouncedMb': rss_all, 'peakAtAllAnnouncedMb': peak_all, 'steadyRssMb': status('VmRSS'), 'peakRssMb': status('VmHWM'),
                  'trackerFailures': failures, 'failureKinds': errors, 'answered': answered_count, 'wanted': want}), flush=True)
