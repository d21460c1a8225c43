/**
 * The hostile peers of bench/hostile.bench.ts, as plain client-side floods against one running node.
 * Each flood comes from its own 127.<n>.x.x range (its "source /16"), so the node's records and
 * aggregates can be attributed to it afterwards (hostile-accounting.ts). Every loop is bounded by a
 * count and every wait by a deadline; traffic goes to loopback only (127.x source addresses work on
 * lo, in or out of a namespace).
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { encodeQuery } from '../../src/bittorrent/dht/krpc.ts';
import { TrackerFailureError } from '../../src/bittorrent/tracker/client/errors.ts';
import { httpAnnounce } from '../../src/bittorrent/tracker/client/http-client.ts';
import { UdpTrackerClient } from '../../src/bittorrent/tracker/client/udp-client.ts';
import type { AnnounceRequest } from '../../src/bittorrent/tracker/codec/types.ts';
import { encodeHandshake, makeReserved } from '../../src/bittorrent/wire/handshake.ts';
import { encodeMessage } from '../../src/bittorrent/wire/messages.ts';

export interface FloodTarget {
  readonly host: string;
  readonly peerPort: number;
  /** UDP port of the node's DHT. */
  readonly dhtPort: number;
  readonly trackerHttp: string;
  readonly trackerUdp: string;
  /** A decoy's infohash (20 bytes). */
  readonly decoy: Uint8Array;
}

export interface FloodResult {
  /** Events the node saw: connections it accepted, queries and announces it received. */
  readonly sent: number;
  /** Connections the node never closed within the deadline (left open, not yet recorded). */
  readonly notClosed?: number;
  /** Slowloris: longest time from connect to the node's close, ms. */
  readonly maxHeldMs?: number;
}

const PEER_ID = new Uint8Array(Buffer.from('-BN0001-hostilebench', 'latin1'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The k-th source address of a flood's /16: spread over `networks` /24s, `perNetwork` hosts each. */
export function sourceAddress(range: number, k: number, networks: number, perNetwork: number): string {
  const n = k % (networks * perNetwork);
  return `127.${range}.${n % networks}.${1 + Math.floor(n / networks)}`;
}

/** Connects from `localAddress`; resolves with the socket once connected, or null if the connect failed. */
function open(t: FloodTarget, localAddress: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = connect({ host: t.host, port: t.peerPort, localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(null));
    s.on('error', () => {});
    // A refusal may reset the connection before anyone waits for it: closedBy() reads this.
    s.once('close', () => { closedEarly.add(s); });
  });
}

/** Resolves true when the node closes `s` (FIN or RST), false after `ms`. Swallows whatever it sends. */
const closedEarly = new WeakSet<Socket>();

function closedBy(s: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (closedEarly.has(s)) { resolve(true); return; }
    const t = setTimeout(() => { s.destroy(); resolve(false); }, ms);
    const done = () => { clearTimeout(t); s.destroy(); resolve(true); };
    s.on('data', () => {});
    s.once('end', done);
    s.once('close', done);
  });
}

/** Runs `count` tasks, at most `concurrency` at once. */
async function pool(count: number, concurrency: number, task: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, async () => {
    for (let k = next++; k < count; k = next++) await task(k);
  }));
}

/** Connections that name an infohash the node does not serve: each is closed with 'unknown-infohash'. */
export async function unknownInfohashFlood(t: FloodTarget, o: { range: number; connections: number; concurrency: number; timeoutMs: number }): Promise<FloodResult> {
  let sent = 0, notClosed = 0;
  await pool(o.connections, o.concurrency, async (k) => {
    const s = await open(t, sourceAddress(o.range, k, 8, 250));
    if (!s) return;
    sent++;
    s.write(encodeHandshake({ reserved: makeReserved({ extended: true, fast: true }), infoHash: new Uint8Array(randomBytes(20)), peerId: PEER_ID }));
    if (!(await closedBy(s, o.timeoutMs))) notClosed++;
  });
  return { sent, notClosed };
}

/** Connections opened and left silent, all at once, from many addresses: the node must drop each at its handshake deadline (or refuse it). */
export async function idleFlood(t: FloodTarget, o: { range: number; connections: number; addresses: number; concurrency: number; timeoutMs: number }): Promise<FloodResult> {
  const open_: Socket[] = [];
  await pool(o.connections, o.concurrency, async (k) => {
    const s = await open(t, sourceAddress(o.range, k % o.addresses, 4, Math.ceil(o.addresses / 4)));
    if (s) open_.push(s);
  });
  const closed = await Promise.all(open_.map((s) => closedBy(s, o.timeoutMs)));
  return { sent: open_.length, notClosed: closed.filter((c) => !c).length };
}

/** Slowloris: a valid handshake for a decoy trickled one byte every `everyMs`; measures how long the node lets each hang on. */
export async function slowloris(t: FloodTarget, o: { range: number; connections: number; everyMs: number; timeoutMs: number }): Promise<FloodResult> {
  const hs = encodeHandshake({ reserved: makeReserved({ extended: true, fast: true }), infoHash: t.decoy, peerId: PEER_ID });
  let sent = 0, notClosed = 0, maxHeldMs = 0;
  await pool(o.connections, o.connections, async (k) => {
    const s = await open(t, sourceAddress(o.range, k, 4, 250));
    if (!s) return;
    sent++;
    const t0 = performance.now();
    let done = false;
    const closed = closedBy(s, o.timeoutMs).then((c) => { done = true; maxHeldMs = Math.max(maxHeldMs, performance.now() - t0); return c; });
    for (let i = 0; i < hs.length && !done; i++) {
      s.write(hs.subarray(i, i + 1));
      await sleep(o.everyMs);
    }
    if (!(await closed)) notClosed++;
  });
  return { sent, notClosed, maxHeldMs };
}

/** Peers that reach a decoy, ask to download and send a full request queue at once without reading: delivery records, and the node's memory under them. */
export async function requestFlood(t: FloodTarget, o: { range: number; connections: number; requests: number; concurrency: number; holdMs: number; pieceLength: number; pieces: number }): Promise<FloodResult> {
  const burst: Uint8Array[] = [encodeMessage({ type: 'interested' })];
  // Full pieces only (all but the last), so that every request is valid.
  const full = Math.max(1, o.pieces - 1);
  for (let i = 0; i < o.requests; i++) {
    burst.push(encodeMessage({ type: 'request', index: i % full, begin: (Math.floor(i / full) * 16384) % o.pieceLength, length: 16384 }));
  }
  const bytes = Buffer.concat(burst);
  let sent = 0;
  await pool(o.connections, o.concurrency, async (k) => {
    const s = await open(t, sourceAddress(o.range, k, 8, 250));
    if (!s) return;
    sent++;
    s.write(encodeHandshake({ reserved: makeReserved({ extended: true, fast: true }), infoHash: t.decoy, peerId: PEER_ID }));
    s.write(bytes);
    // Not reading: whatever the node queues for us stays in its buffers until it gives up or we leave.
    s.pause();
    await sleep(o.holdMs);
    s.destroy();
  });
  return { sent };
}

/** get_peers for a decoy, paced so that loopback's socket buffer does not overflow (the node's kernel drops are reported apart). */
export async function dhtGetPeersFlood(t: FloodTarget, o: { range: number; queries: number; sources: number; perBatch: number; pauseMs: number }): Promise<FloodResult> {
  const socks = await Promise.all(Array.from({ length: o.sources }, async (_, i) => {
    const s = createSocket('udp4');
    s.on('message', () => {});
    await new Promise<void>((r) => s.bind(0, sourceAddress(o.range, i, o.sources, 1), () => r()));
    return s;
  }));
  try {
    for (let i = 0; i < o.queries; i++) {
      const q = encodeQuery(Uint8Array.of(i >> 8, i & 255), 'get_peers', new Uint8Array(randomBytes(20)), { infoHash: t.decoy });
      await new Promise<void>((r) => socks[i % socks.length]!.send(q, t.dhtPort, t.host, () => r()));
      if (i % o.perBatch === o.perBatch - 1) await sleep(o.pauseMs);
    }
    await sleep(300);
  } finally {
    for (const s of socks) s.close();
  }
  return { sent: o.queries };
}

function announce(k: number, decoy: Uint8Array, known: boolean): AnnounceRequest {
  const infoHash = known ? decoy : new Uint8Array(randomBytes(20));
  return { infoHash, peerId: new Uint8Array(randomBytes(20)), port: 10_000 + (k % 50_000), uploaded: 0, downloaded: 0, left: 1, event: 'started', compact: true };
}

/** HTTP announces, every other one for an infohash that is not a decoy. Counts those the tracker answered. */
export async function httpAnnounceFlood(t: FloodTarget, o: { range: number; announces: number; concurrency: number }): Promise<FloodResult> {
  let sent = 0;
  await pool(o.announces, o.concurrency, async (k) => {
    try {
      await httpAnnounce(t.trackerHttp, announce(k, t.decoy, k % 2 === 0), { localAddress: sourceAddress(o.range, k, 8, 250), timeoutMs: 10_000 });
      sent++;
    } catch (e) {
      if (e instanceof TrackerFailureError) sent++; // "unknown torrent": answered, so received
    }
  });
  return { sent };
}

/** UDP announces (BEP 15, a connect each client), every other one for an unknown infohash. Counts those the tracker answered. */
export async function udpAnnounceFlood(t: FloodTarget, o: { range: number; announces: number; clients: number; concurrency: number }): Promise<FloodResult> {
  const clients = Array.from({ length: o.clients }, (_, i) => new UdpTrackerClient({ localAddress: sourceAddress(o.range, i, 8, 250), timeoutsMs: [5000] }));
  let sent = 0;
  try {
    await pool(o.announces, o.concurrency, async (k) => {
      try {
        await clients[k % clients.length]!.announce(t.trackerUdp, announce(k, t.decoy, k % 2 === 0));
        sent++;
      } catch (e) {
        if (e instanceof TrackerFailureError) sent++;
      }
    });
  } finally {
    for (const c of clients) await c.close();
  }
  return { sent };
}
