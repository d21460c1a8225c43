/**
 * Packet capture on `lo` around a download, so tests learn each client's real
 * TCP source port independently of counterseed's own records.
 *
 * dumpcap writes headers only (snaplen 128): tcp.len is still computed from the
 * IP total length, so payload byte counts stay exact without storing payloads.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ManagedProcess, requireBinary } from './clients/proc.ts';
import { addressFor } from './netns.ts';

const DUMPCAP = '/usr/bin/dumpcap';
const TSHARK = '/usr/bin/tshark';
/** Enough for Ethernet/loopback + IPv4 + TCP with options. */
const SNAPLEN = 128;
/** Readiness probes: one every PROBE_EVERY_MS, at most MAX_PROBES. */
const PROBE_EVERY_MS = 50;
const MAX_PROBES = 200;
/** Refuse to parse absurd captures: a test decoy download is a few thousand packets. */
const MAX_PACKETS = 2_000_000;

export class CaptureError extends Error {
  override name = 'CaptureError';
}

/** One TCP connection opened to the watched server port, as seen on the wire. */
export interface TcpConnection {
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  /** Epoch seconds of the SYN. */
  readonly synTime: number;
  /** TCP payload bytes client -> server (handshake, MSE, requests...). */
  readonly bytesToServer: number;
  /** TCP payload bytes server -> client: framing + MSE + piece data, so >= bytes served. */
  readonly bytesFromServer: number;
}

export interface CaptureOptions {
  /** The server (seeder) port whose connections are recorded. */
  readonly port: number;
  /** Restrict to this server address too. */
  readonly host?: string;
  /** Directory for the capture file (the caller cleans it up). */
  readonly dir: string;
  readonly iface?: string;
  readonly signal?: AbortSignal;
}

export interface Capture {
  readonly file: string;
  /** Stops dumpcap (by its PID) and parses the capture. */
  stop(opts?: { signal?: AbortSignal }): Promise<TcpConnection[]>;
}

/**
 * Starts dumpcap and resolves once packets are really being captured, so no
 * early SYN is missed. dumpcap prints "Capturing on" before its filter is
 * live (connections right after it were seen missing), so readiness is
 * proven instead: probe connections to a closed port on the probe address
 * (SYN + RST, no listener, never reaching the seeder) until dumpcap's packet
 * counter moves.
 */
export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  requireBinary(DUMPCAP, 'tshark (dumpcap comes with wireshark-common)');
  requireBinary(TSHARK, 'tshark');
  const file = join(opts.dir, `seeder-${opts.port}.pcapng`);
  const probeIp = addressFor('capture-probe');
  const filter = `tcp port ${opts.port}` + (opts.host ? ` and (host ${opts.host} or host ${probeIp})` : '');
  // No -q: dumpcap then reports "Packets: N" on stderr, the readiness signal.
  const proc = new ManagedProcess(DUMPCAP, ['-i', opts.iface ?? 'lo', '-f', filter, '-s', String(SNAPLEN), '-w', file]);
  try {
    await probeUntilCounted(proc, probeIp, opts.port, 0, opts.signal);
  } catch (e) {
    await proc.stop('SIGKILL', 1_000);
    throw new CaptureError(`dumpcap did not start capturing: ${(e as Error).message}\n${proc.describe()}`);
  }
  return {
    file,
    async stop(stopOpts = {}) {
      // The kernel hands packets to dumpcap in blocks, and a SIGTERM loses
      // what it has not read yet (a fast download's whole connection, once).
      // So a fence probe is sent and the live file polled until the fence is
      // in it: packets are read and written in order, so all before it are too.
      const fence = await writeFence(proc, file, probeIp, opts.port, stopOpts.signal);
      const exit = await proc.stop('SIGTERM', 10_000);
      if (exit.code !== 0 && exit.signal !== 'SIGTERM') throw new CaptureError(`dumpcap failed\n${proc.describe()}`);
      const all = await readConnections(file, opts.port, stopOpts.signal);
      if (!all.some((c) => c.srcIp === probeIp && c.srcPort === fence)) {
        throw new CaptureError(`capture incomplete: fence probe from port ${fence} missing in ${file} after stop`);
      }
      return all.filter((c) => c.srcIp !== probeIp);
    },
  };
}

/** dumpcap's running packet count ("\rPackets: N" on stderr without -q). */
function packetCount(proc: ManagedProcess): number {
  const all = [...proc.stderr.matchAll(/Packets: (\d+)/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : 0;
}

/** Sends probes until dumpcap has counted more than `before` packets; returns the last probe's source port. */
async function probeUntilCounted(proc: ManagedProcess, probeIp: string, port: number, before: number, signal?: AbortSignal): Promise<number> {
  let last = 0;
  for (let probes = 0; probes === 0 || packetCount(proc) <= before; probes++) {
    if (signal?.aborted) throw new Error('aborted');
    if (proc.exitInfo) throw new CaptureError(`dumpcap exited\n${proc.describe()}`);
    if (probes >= MAX_PROBES) throw new CaptureError(`dumpcap counted no probe packet after ${MAX_PROBES} probes\n${proc.describe()}`);
    last = probe(probeIp, port);
    await delay(PROBE_EVERY_MS);
  }
  return last;
}

/** Fence polls: tshark reads the live file; dumpcap flushes it every update interval (~0.1 s). */
const FENCE_POLLS = 60;
const FENCE_RESEND_EVERY = 10;

/** Sends a fence probe and waits (bounded) until the capture file holds its SYN; returns its source port. */
async function writeFence(proc: ManagedProcess, file: string, probeIp: string, port: number, signal?: AbortSignal): Promise<number> {
  let fence = 0;
  for (let poll = 0; poll < FENCE_POLLS; poll++) {
    if (signal?.aborted) throw new Error('aborted');
    if (proc.exitInfo) throw new CaptureError(`dumpcap exited\n${proc.describe()}`);
    if (poll % FENCE_RESEND_EVERY === 0) fence = probe(probeIp, port);
    await delay(PROBE_EVERY_MS);
    const filter = `ip.src==${probeIp} && tcp.srcport==${fence} && tcp.flags.syn==1 && tcp.flags.ack==0`;
    const out = await tshark(['-r', file, '-n', '-Y', filter, '-T', 'fields', '-e', 'tcp.srcport'], 30_000, signal);
    if (out.split('\n').some((l) => l.trim() === String(fence))) return fence;
  }
  throw new CaptureError(`fence probe never reached ${file} after ${FENCE_POLLS} polls\n${proc.describe()}`);
}

let probeSerial = 0;

/**
 * A connection attempt to a closed port from a known source port: refused at
 * once, which is all we want. Source ports cycle through 20000..29999; only
 * probes use the probe address, so they do not collide with anything.
 */
function probe(ip: string, port: number): number {
  const localPort = 20_000 + (probeSerial++ % 10_000);
  const s = connect({ host: ip, port, localAddress: ip, localPort });
  s.on('error', () => {});
  s.on('connect', () => s.destroy());
  return localPort;
}

/** Runs tshark (bounded; execFile leaves no timer behind) and returns its stdout. */
function tshark(args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(TSHARK, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024, ...(signal ? { signal } : {}) }, (err, stdout, stderr) => {
      if (err) reject(new CaptureError(`tshark ${args.join(' ')} failed (${(err as NodeJS.ErrnoException).code ?? err.message}): ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Parses a capture file into the TCP connections opened to `serverPort`. */
export async function readConnections(file: string, serverPort: number, signal?: AbortSignal): Promise<TcpConnection[]> {
  const fields = ['frame.time_epoch', 'tcp.stream', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.len'];
  const args = ['-r', file, '-n', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])];
  const stdout = await tshark(args, 120_000, signal);
  return parseTsharkFields(stdout, serverPort);
}

interface Acc { conn: { -readonly [K in keyof TcpConnection]: TcpConnection[K] } | null }

/** Pure: tshark `-T fields` rows (fields as in readConnections) -> connections to serverPort, in SYN order. */
export function parseTsharkFields(text: string, serverPort: number): TcpConnection[] {
  const streams = new Map<string, Acc>();
  let rows = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (++rows > MAX_PACKETS) throw new CaptureError(`more than ${MAX_PACKETS} packets`);
    const [time, stream, src, sport, dst, dport, syn, ack, len] = line.split(',');
    if (time === undefined || stream === undefined || src === undefined || dst === undefined || len === undefined) {
      throw new CaptureError(`malformed tshark row: ${line}`);
    }
    const srcPort = Number(sport), dstPort = Number(dport), bytes = Number(len);
    let acc = streams.get(stream);
    if (!acc) { acc = { conn: null }; streams.set(stream, acc); }
    // A connection starts with a SYN without ACK to the server (RFC 9293 3.5);
    // streams whose SYN preceded the capture are ignored (capture starts first).
    if (flag(syn) && !flag(ack) && dstPort === serverPort && acc.conn === null) {
      acc.conn = { srcIp: src, srcPort, dstIp: dst, dstPort, synTime: Number(time), bytesToServer: 0, bytesFromServer: 0 };
      continue;
    }
    const c = acc.conn;
    if (c === null) continue;
    if (src === c.srcIp && srcPort === c.srcPort) c.bytesToServer += bytes;
    else if (dst === c.srcIp && dstPort === c.srcPort) c.bytesFromServer += bytes;
  }
  return [...streams.values()]
    .flatMap((a) => (a.conn ? [a.conn as TcpConnection] : []))
    .sort((a, b) => a.synTime - b.synTime);
}

/** tshark prints flags as 1/0 (older) or True/False (newer). */
function flag(v: string | undefined): boolean {
  return v === '1' || v === 'True' || v === 'true';
}
