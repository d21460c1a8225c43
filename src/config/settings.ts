import { isIP } from 'node:net';
import { CLIENT_PROFILES, CREATION_DATE_POLICIES, PIECE_SIZE_POLICIES } from '../domain/presentation.ts';
import { isLabAddress, normalizeIp } from '../domain/ip-address.ts';
import { boolSetting, enumSetting, intSetting, listSetting, stringSetting, timeZoneSetting, type Setting } from './setting.ts';

const trackerUrl = (s: string) => (/^(https?|udp):\/\/[^\s]+$/.test(s) ? undefined : 'not an http(s):// or udp:// tracker URL');
const ipAddress = /^[0-9a-fA-F:.]+$/;

/**
 * THE settings table. Every tunable lives here exactly once; `counterseed config docs`
 * renders it, config files and flags are validated by it.
 */
export const SETTINGS = {
  dataDir: stringSetting('dataDir', '--data', defaultDataDir(), 'Directory holding the database, payloads and keys', 'COUNTERSEED_DATA'),
  store: stringSetting('store', '--store', '', 'Where records and catalogs are kept: empty = SQLite in the data directory (every serving node); postgres://user@host:port/database = the centre\'s PostgreSQL store (read and manage; a seed node keeps its own SQLite store and ships to the centre)', 'COUNTERSEED_STORE', /^(?:|postgres(?:ql)?:\/\/\S+)$/),
  displayTimeZone: timeZoneSetting('output.timeZone', '--tz', 'Show the times in tables in this IANA time zone (e.g. Europe/Oslo), each with its UTC offset; empty = UTC with Z. CSV, JSON and evidence are always UTC', 'COUNTERSEED_TZ'),
  mode: enumSetting('mode', '--mode', ['lab', 'live'] as const, 'lab', 'lab: loopback only, nothing public is contacted. live: external trackers allowed; must be set explicitly', 'COUNTERSEED_MODE'),

  bind: stringSetting('seed.bind', '--bind', '127.0.0.1', 'Address the peer port (and built-in tracker) listens on', undefined, ipAddress),
  port: intSetting('seed.port', '--port', 6881, 0, 65535, 'TCP port that serves every decoy; 0 picks a free port'),
  // Issue 10 item 3: nothing a filter could key on is a constant. Empty values come from the client
  // profile (config/client-profiles.ts), drawn from the deployment seed unless set here.
  clientProfile: enumSetting('presentation.profile', '--client-profile', ['auto', ...CLIENT_PROFILES] as const, 'auto', 'The common client the node and its .torrent files look like, as a whole (peer id, extended handshake, reqq, created by, piece sizes); auto: drawn from the deployment seed'),
  peerIdPrefix: stringSetting('seed.peerIdPrefix', '--peer-id-prefix', '', 'BEP 20 peer id prefix (8 bytes) sent to peers and trackers; empty: the profile\'s', undefined, /^(.{8})?$/),
  clientVersion: stringSetting('seed.clientVersion', '--client-version', '', 'Extended handshake "v" sent to peers (BEP 10); empty: the profile\'s'),
  advertisedRequestQueue: intSetting('seed.advertisedRequestQueue', '--reqq', 0, 0, 20_000, 'Extended handshake "reqq" (BEP 10); 0: the profile\'s (the seed accepts max(this, seed.maxRequestQueue))'),
  createdBy: stringSetting('torrent.createdBy', '--created-by', '', '"created by" of exported .torrent files; empty: the profile\'s torrent creator, "-": left out', undefined, /^.{0,200}$/),
  creationDate: enumSetting('torrent.creationDate', '--creation-date', CREATION_DATE_POLICIES, 'spread', '"creation date" of exported .torrent files: spread (a fixed per-decoy point up to torrent.creationDateSpreadDays before the build), build (the build time), omit'),
  creationDateSpreadDays: intSetting('torrent.creationDateSpreadDays', '--creation-date-spread', 45, 0, 3650, 'For creationDate spread: how many days before the build a decoy\'s creation date may fall'),
  pieceSizePolicy: enumSetting('torrent.pieceSize', '--piece-size', ['profile', ...PIECE_SIZE_POLICIES] as const, 'profile', 'How piece length follows size, as a torrent creator chooses it: libtorrent (qBittorrent), transmission, mktorrent (256 KiB), pieces-2000 (counterseed\'s old rule); profile: the client profile\'s. Applies to decoys built from now on'),
  padding: enumSetting('decoy.padding', '--padding', ['seed', 'zero'] as const, 'seed', 'Padding bytes of decoys built from now on: seed (one byte per format drawn from the deployment seed among those its readers skip), zero (zeros; spaces in text)'),
  // Issue 10 item 5: the garbage an announce round promotes swelled the old space 2-4x between full GCs
  // (node/old-space-growth.ts; the peak RSS of a node announcing 300,000 decoys, bench/README.md).
  oldSpaceGrowth: intSetting('seed.oldSpaceGrowth', '--old-space-growth', 20, 0, 300, 'How far V8\'s old space may grow past what the last full GC kept before the next one, percent (at least 8 MB), set once a seed node has started: lower keeps the peak RSS lower for more GC time; 0 = V8\'s own factor (up to 4x)'),
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
  maxRequestQueue: intSetting('seed.maxRequestQueue', '--max-request-queue', 2000, 1, 20_000, 'Outstanding block requests per peer accepted (at least the advertised reqq); more is a flood'),
  unchokeRotationMs: intSetting('seed.unchokeRotationMs', '--unchoke-rotation', 30_000, 1000, 600_000, 'An unchoked peer yields its slot to waiting peers after this long, ms'),
  allowPlaintext: boolSetting('seed.allowPlaintext', '--allow-plaintext', true, 'Accept unencrypted BitTorrent handshakes (MSE is always offered)'),
  // Issue 10 item 1: clients at their defaults try uTP first (Transmission 3.00 never falls back to TCP).
  utp: boolSetting('seed.utp', '--utp', true, 'Also serve over uTP (BEP 29) on UDP at the peer port number, which DHT and tracker announces name; the DHT shares that UDP port when it uses the same number'),

  // Issue 13 §7 (LED Art. 4(1)(e), 5): how long each category of personal record is kept; `retention run` erases what is older, unless under legal hold.
  retentionDeliveriesDays: intSetting('retention.deliveriesDays', '--retain-deliveries', 730, 1, 36_500, 'Retention: days delivery sessions (and their progress records) are kept before the erasure job removes them (unless under legal hold)'),
  retentionAnnouncesDays: intSetting('retention.announcesDays', '--retain-announces', 365, 1, 36_500, 'Retention: days tracker announces are kept before the erasure job removes them (unless under legal hold)'),
  retentionPresenceDays: intSetting('retention.presenceDays', '--retain-presence', 180, 1, 36_500, 'Retention: days DHT swarm-presence records are kept before the erasure job removes them (unless under legal hold)'),
  retentionRejectedDays: intSetting('retention.rejectedDays', '--retain-rejected', 90, 1, 36_500, 'Retention: days rejected-connection records are kept before the erasure job removes them (unless under legal hold)'),
  // Issue 14 §2: RFC 6302 logging needs exact times; the window absorbs clock differences between two logs.
  sourcesMatchWindowS: intSetting('sources.matchWindow', '--window', 60, 0, 86_400, 'Cross-matching: an imported record matches a delivery (or another import\'s record) of the same IP when its time is within this many seconds of it; stated in every match output'),
  riskWeights: stringSetting('risk.weights', '--weights', 'deliveries=1,decoys=2,completions=3,daysActive=2,persistenceDays=1,returnsAfterWarning=5,sourceMatches=4,extraNetworks=3',
    'Risk score weights, name=weight for every factor (score = sum of weight x log2(1 + value)); their version (a hash of them) is stored with every score', undefined, /^[A-Za-z]+=\d{1,3}(\.\d{1,3})?(,[A-Za-z]+=\d{1,3}(\.\d{1,3})?)*$/),
  webWorkers: intSetting('web.workers', '--workers', 2, 1, 16, 'serve: worker processes answering the web app, each with its own store connection, on one port; a slow query then holds up only its own worker (1 = the primary answers every request itself)'),
  mapMinIps: intSetting('map.minIps', '--min-ips', 10, 2, 1_000_000, 'Public map: a cell (country or county) with fewer distinct IPs than this is suppressed, and so is a second one where the first could be worked out from the total'),

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
  statusIntervalS: intSetting('seed.statusInterval', '--status-interval', 60, 0, 86_400, 'A running seed logs a status line (connections, deliveries, bytes, dropped, announces) this often, seconds; 0: never'),
  centreUrl: stringSetting('centre.url', '--centre', '', 'The centre this seed node ships its evidence records to (http(s)://host:port; docs/centre.md); empty = none. Lab mode: loopback or 198.18.0.0/15 only', 'COUNTERSEED_CENTRE', /^(?:|https?:\/\/\S+)$/),
  centreReadWorkers: intSetting('centre.readWorkers', '--read-workers', 1, 0, 16, 'centre serve: threads that read each shipped batch (parse, hash and link every record) while the intake stores the batch before it; 0 = read on the intake\'s own thread'),
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
