/**
 * Packet capture on `lo` around a download, so tests learn each client's real
 * TCP source port independently of counterseed's own records.
 *
 * dumpcap writes headers only (snaplen 128): tcp.len is still computed from the
 * IP total length, so payload byte counts stay exact without storing payloads.
 */
import { join } from 'node:path';
import { ManagedProcess, requireBinary, run } from './clients/proc.ts';

const DUMPCAP = '/usr/bin/dumpcap';
const TSHARK = '/usr/bin/tshark';
/** Enough for Ethernet/loopback + IPv4 + TCP with options. */
const SNAPLEN = 128;
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

/** Starts dumpcap and resolves once it reports capturing, so no early SYN is missed. */
export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  requireBinary(DUMPCAP, 'tshark (dumpcap comes with wireshark-common)');
  requireBinary(TSHARK, 'tshark');
  const file = join(opts.dir, `seeder-${opts.port}.pcapng`);
  const filter = `tcp port ${opts.port}` + (opts.host ? ` and host ${opts.host}` : '');
  const proc = new ManagedProcess(DUMPCAP, ['-i', opts.iface ?? 'lo', '-f', filter, '-s', String(SNAPLEN), '-w', file, '-q']);
  try {
    await proc.waitForLine(/^Capturing on/, { timeoutMs: 15_000, stream: 'stderr', ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (e) {
    await proc.stop('SIGKILL', 1_000);
    throw new CaptureError(`dumpcap did not start: ${(e as Error).message}`);
  }
  return {
    file,
    async stop(stopOpts = {}) {
      const exit = await proc.stop('SIGTERM', 10_000);
      if (exit.code !== 0 && exit.signal !== 'SIGTERM') throw new CaptureError(`dumpcap failed\n${proc.describe()}`);
      return readConnections(file, opts.port, stopOpts.signal);
    },
  };
}

/** Parses a capture file into the TCP connections opened to `serverPort`. */
export async function readConnections(file: string, serverPort: number, signal?: AbortSignal): Promise<TcpConnection[]> {
  const fields = ['frame.time_epoch', 'tcp.stream', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.len'];
  const args = ['-r', file, '-n', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])];
  const r = await run(TSHARK, args, { timeoutMs: 120_000, ...(signal ? { signal } : {}) });
  if (r.code !== 0) throw new CaptureError(`tshark -r ${file} failed (${r.code}): ${r.stderr}`);
  return parseTsharkFields(r.stdout, serverPort);
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
