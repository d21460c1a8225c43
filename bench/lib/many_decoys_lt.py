#!/usr/bin/python3
"""libtorrent 2.0.8 side of bench/many-decoys.bench.ts: one session with the
preset named in the spec (high_performance_seed or min_memory_usage), N torrents
(the same info dicts counterseed serves) added in seed mode; each torrent's file
is a symlink to one payload. The info dicts are parsed into torrent_info objects
BEFORE the clock starts, so Python's bdecode is not in the time to ready.
With spec['dht'] (a local DHT node, host:port), the DHT is on and bootstrapped to
that node only, so "while announcing" is the same work counterseed does: DHT
announces of every torrent (issue 15 item 16). Prints "busy-start"/"busy-end"
marks around the announcing window, then one JSON line."""
import json, os, resource, sys, time
import libtorrent as lt

spec = json.loads(sys.argv[1])
raw = open(spec['infos'], 'rb').read()
infos, pos = [], 0
while pos < len(raw):
    nl = raw.index(b'\n', pos)
    ln = int(raw[pos:nl]); infos.append(raw[nl + 1:nl + 1 + ln]); pos = nl + 1 + ln

def rss_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1]) / 1024
def peak_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'): return int(line.split()[1]) / 1024
def cpu_ms():
    r = resource.getrusage(resource.RUSAGE_SELF); return (r.ru_utime + r.ru_stime) * 1000

# Setup (not timed): symlinks so that every torrent finds its file (ext4 caps hard links at 65,000).
names = []
for info in infos:
    d = lt.bdecode(b'd4:info' + info + b'e')
    name = d[b'info'][b'name'].decode()
    p = os.path.join(spec['saveDir'], name)
    if not os.path.exists(p): os.symlink(spec['payload'], p)
    names.append(name)

profile = spec.get('profile', 'high_performance_seed')
pack = getattr(lt, profile)()
dht = spec.get('dht')
pack.update({'listen_interfaces': '127.0.0.1:0', 'enable_dht': bool(dht), 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
             # A loopback testbed: every DHT node shares 127.0.0.1 (as in test/interop/dht-testbed.test.ts).
             'dht_restrict_routing_ips': False, 'dht_restrict_search_ips': False, 'dht_enforce_node_id': False,
             'active_seeds': -1, 'active_limit': -1, 'active_downloads': -1, 'alert_queue_size': 1_000_000,
             'alert_mask': lt.alert_category.status | lt.alert_category.error})
# Setup (not timed): the torrent_info objects libtorrent holds are built before the clock starts.
tis = [lt.torrent_info(lt.bdecode(b'd4:info' + info + b'e')) for info in infos]
ses = lt.session(pack, 0)
if dht:
    h, p = dht.split(':'); ses.add_dht_node((h, int(p)))
t0 = time.monotonic()
for ti in tis:
    atp = lt.add_torrent_params()
    atp.ti = ti
    atp.save_path = spec['saveDir']
    atp.flags = (atp.flags | lt.torrent_flags.seed_mode) & ~lt.torrent_flags.paused & ~lt.torrent_flags.auto_managed
    ses.async_add_torrent(atp)
added = 0
deadline = time.monotonic() + 900
while added < len(infos) and time.monotonic() < deadline:
    ses.wait_for_alert(200)
    for a in ses.pop_alerts():
        if isinstance(a, lt.add_torrent_alert): added += 1
ready_ms = (time.monotonic() - t0) * 1000
rss = rss_mb()
print('busy-start', flush=True)
c0 = cpu_ms(); time.sleep(10); busy = (cpu_ms() - c0) / 10
print('busy-end', flush=True)
if dht: ses.apply_settings({'enable_dht': False})
c0 = cpu_ms(); time.sleep(5); idle = (cpu_ms() - c0) / 5
print(json.dumps({'readyMs': ready_ms, 'rssMb': rss, 'peakRssMb': peak_mb(), 'idleCpuMsPerS': idle, 'busyCpuMsPerS': busy,
                  'extra': f'{added} torrents added in seed mode ({profile}{", DHT on" if dht else ""})'}), flush=True)
