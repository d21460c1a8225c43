import { isLabAddress, normalizeIp } from '../domain/ip-address.ts';
import { boolSetting, enumSetting, intSetting, listSetting, stringSetting, type Setting } from './setting.ts';

const trackerUrl = (s: string) => (/^(https?|udp):\/\/[^\s]+$/.test(s) ? undefined : 'not an http(s):// or udp:// tracker URL');
const ipAddress = /^[0-9a-fA-F:.]+$/;

/**
 * THE settings table. Every tunable lives here exactly once; `counterseed config docs`
 * renders it, config files and flags are validated by it.
 */
export const SETTINGS = {
  dataDir: stringSetting('dataDir', '--data', defaultDataDir(), 'Directory holding the database, payloads and keys', 'COUNTERSEED_DATA'),
  mode: enumSetting('mode', '--mode', ['lab', 'live'] as const, 'lab', 'lab: loopback only, nothing public is contacted. live: external trackers allowed; must be set explicitly', 'COUNTERSEED_MODE'),

  bind: stringSetting('seed.bind', '--bind', '127.0.0.1', 'Address the peer port (and built-in tracker) listens on', undefined, ipAddress),
  port: intSetting('seed.port', '--port', 6881, 0, 65535, 'TCP port that serves every decoy; 0 picks a free port'),
  peerIdPrefix: stringSetting('seed.peerIdPrefix', '--peer-id-prefix', '-CS0010-', 'BEP 20 peer id prefix (8 bytes) sent to peers', undefined, /^.{8}$/),
  clientVersion: stringSetting('seed.clientVersion', '--client-version', 'counterseed 0.1.0', 'Extended handshake "v" sent to peers (BEP 10)'),
  maxConnections: intSetting('seed.maxConnections', '--max-connections', 5000, 1, 200_000, 'Concurrent peer connections, all decoys together'),
  maxConnectionsPerIp: intSetting('seed.maxConnectionsPerIp', '--max-connections-per-ip', 8, 1, 1000, 'Concurrent peer connections from one IP address'),
  maxConnectionsPerPrefix: intSetting('seed.maxConnectionsPerPrefix', '--max-connections-per-prefix', 64, 1, 200_000, 'Concurrent peer connections from one source network: a /24 (IPv4) or /48 (IPv6)'),
  uploadSlots: intSetting('seed.uploadSlots', '--upload-slots', 64, 1, 100_000, 'Peers unchoked at once, all decoys together'),
  uploadRate: intSetting('seed.uploadRate', '--upload-rate', 0, 0, 10 * 1024 ** 3, 'Global upload limit in bytes per second; 0 = unlimited'),
  handshakeTimeoutMs: intSetting('seed.handshakeTimeoutMs', '--handshake-timeout', 10_000, 100, 300_000, 'Deadline from accept to a complete (MSE +) BitTorrent handshake, whatever the peer trickles, ms'),
  idleTimeoutMs: intSetting('seed.idleTimeoutMs', '--idle-timeout', 120_000, 1000, 3_600_000, 'A connection that sends nothing for this long is closed, ms'),
  // Transmission refills its request pipeline on a timer and honours reqq, so reqq caps its rate
  // (250 x 16 KiB per refill ~ 4-8 MB/s); 2000 is libtorrent's high_performance_seed value. A queued
  // request costs ~50 bytes (blocks are read when sent), so a large queue is cheap.
  maxRequestQueue: intSetting('seed.maxRequestQueue', '--max-request-queue', 2000, 1, 20_000, 'Outstanding block requests per peer (advertised as reqq); more is a flood'),
  unchokeRotationMs: intSetting('seed.unchokeRotationMs', '--unchoke-rotation', 30_000, 1000, 600_000, 'An unchoked peer yields its slot to waiting peers after this long, ms'),
  allowPlaintext: boolSetting('seed.allowPlaintext', '--allow-plaintext', true, 'Accept unencrypted BitTorrent handshakes (MSE is always offered)'),

  trackers: listSetting('tracker.urls', '--tracker', 'External tracker announce URL (repeatable); requires --mode live unless it is a loopback address', trackerUrl),
  trackerServerPort: intSetting('tracker.serverPort', '--tracker-server', -1, -1, 65535, 'Run the built-in HTTP+UDP tracker on this port (-1 = off, 0 = any free port)'),
  announceIntervalS: intSetting('tracker.announceInterval', '--announce-interval', 1800, 5, 86_400, 'Announce interval the built-in tracker hands out and the minimum our client uses, seconds'),

  queueCapacity: intSetting('observation.queueCapacity', '--observation-queue', 200_000, 1000, 10_000_000, 'Observations buffered before they are written; overflow is counted, never silent'),
  recordsPerSecond: intSetting('observation.recordsPerSecond', '--records-per-second', 200, 1, 1_000_000, 'Refused connections, DHT sightings and tracker announces recorded one by one per second, per producer; the rest are counted in aggregate records'),
  recordsPerSourcePerSecond: intSetting('observation.recordsPerSourcePerSecond', '--records-per-source', 50, 1, 1_000_000, 'Of those, at most this many per second from one source /24 (IPv4) or /48 (IPv6); the rest are counted in aggregate records'),
  aggregateBuckets: intSetting('observation.aggregateBuckets', '--aggregate-buckets', 4096, 16, 1_000_000, 'Aggregate counters (kind, reason, source network, second) held open per producer; further sources share one /0 counter'),
  flushIntervalMs: intSetting('observation.flushIntervalMs', '--flush-interval', 250, 10, 60_000, 'How often buffered observations are written to the store, ms'),
  // Issue 17, item 5: a kill -9 loses at most this much of an open session (plus one flush interval).
  progressIntervalMs: intSetting('observation.progressIntervalMs', '--progress-interval', 5000, 100, 600_000, 'An open delivery session that served something is recorded (session-progress) at most this long afterwards, ms: what a kill -9 can lose of it'),
  progressBytes: intSetting('observation.progressBytes', '--progress-bytes', 4 * 1024 * 1024, 16 * 1024, 1024 ** 3, 'An open delivery session is also recorded each time it has served this many more bytes'),
  checkpointEvery: intSetting('evidence.checkpointEvery', '--checkpoint-every', 10_000, 1, 100_000_000, 'Sign a checkpoint (Merkle tree head) after this many new evidence records'),
  checkpointIntervalS: intSetting('evidence.checkpointInterval', '--checkpoint-interval', 300, 1, 86_400, 'Sign a checkpoint at least this often while records arrive, seconds (and always at clean shutdown)'),
  clockCheckIntervalS: intSetting('evidence.clockCheckInterval', '--clock-check-interval', 300, 5, 86_400, 'How often the clock source and sync state (and, in live mode, the NTP offset) are checked, seconds'),
  ntpServer: stringSetting('evidence.ntpServer', '--ntp-server', 'pool.ntp.org', 'NTP server whose offset is measured and recorded; live mode only (lab mode never contacts it)'),
  ntpMaxOffsetMs: intSetting('evidence.ntpMaxOffsetMs', '--ntp-max-offset', 500, 1, 3_600_000, 'Warn (and record) when the measured NTP offset exceeds this, ms'),
  addresses: listSetting('seed.addresses', '--address', 'A further local address this node owns (repeatable), IPv4 or IPv6: the peer port, and a DHT node if enabled, listen on each one; each decoy is announced in the DHT from one address of each family, spread by infohash (docs/scale.md); the first address of the family --bind is not also runs the built-in tracker and announces to trackers over that family (give the node\'s IPv6 address to reach IPv6 downloaders)', (v) => (normalizeIp(v) !== null ? undefined : 'not an IP address')),
  dhtEnabled: boolSetting('dht.enabled', '--dht', false, 'Run a Mainline DHT node (BEP 5) on each address and announce every active decoy to it'),
  dhtPort: intSetting('dht.port', '--dht-port', -1, -1, 65535, 'UDP port of the DHT node (-1 = same number as the peer port, 0 = any free port)'),
  dhtBootstrap: listSetting('dht.bootstrap', '--dht-bootstrap', 'host:port (IPv4) or [host]:port (IPv6) of a DHT node to join through (repeatable); each address\'s DHT node joins through those of its family; lab mode: loopback, 198.18/15 and 2001:db8::/32 only', (v) => (/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/.test(v) ? undefined : 'not an IPv4 host:port or [IPv6]:port')),
  dhtPublicBootstrap: boolSetting('dht.publicBootstrap', '--dht-public-bootstrap', false, 'Join the public DHT through the well-known bootstrap routers; live mode only, never on by default'),
  dhtReadOnly: boolSetting('dht.readOnly', '--dht-read-only', false, 'BEP 43 read-only DHT node: queries only, answers none (other nodes keep it out of their tables)'),
  dhtCycleS: intSetting('dht.announceCycle', '--dht-cycle', 1800, 60, 86_400, 'Every active decoy is re-announced to the DHT once per cycle, seconds'),
  dhtJitterPercent: intSetting('dht.jitterPercent', '--dht-jitter', 10, 0, 50, 'Re-announces land within this percentage of the cycle either side'),
  dhtQueryRate: intSetting('dht.queryRate', '--dht-query-rate', 1000, 1, 100_000, 'Outgoing DHT queries per second, all destinations together'),
  dhtPerNodeRate: intSetting('dht.perNodeRate', '--dht-per-node-rate', 2, 1, 20, 'Outgoing DHT queries per second to any one node (peers ban ~50 messages in 10 s)'),
  networks: listSetting('node.networks', '--network', 'Network a seed node serves decoys on (repeatable; started in this order, stopped in reverse). Known: bittorrent',
    (v) => (/^[a-z][a-z0-9-]{0,31}$/.test(v) ? undefined : 'not a network name'), ['bittorrent']),
  campaignTickS: intSetting('campaign.tickInterval', '--campaign-tick', 300, 1, 86_400, 'A running seed steps every campaign (daily release, TTL retirement) and picks up new or retired decoys this often, seconds'),
} as const satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { readonly [K in SettingName]: (typeof SETTINGS)[K]['default'] };

function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || `${process.env.HOME ?? '.'}/.local/share`;
  return `${base}/counterseed`;
}

/** Loopback or a lab namespace's test addresses (domain/ip-address.ts isLabAddress), or "localhost". */
export function isLoopbackOrLab(host: string): boolean {
  return host === 'localhost' || isLabAddress(host);
}
