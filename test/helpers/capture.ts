/**
 * Packet capture for the interop tests, so they learn each client's real TCP source port
 * independently of counterseed's own records. The capture itself (readiness and fence probes)
 * is src/validation/capture.ts, here with headers only (snaplen 128): tcp.len is still computed
 * from the IP total length, so payload byte counts stay exact without storing payloads.
 */
import { execFile } from 'node:child_process';
import { startCapture as startDumpcap } from '../../src/validation/capture.ts';
import { addressFor } from './netns.ts';
import { socketIp } from '../../src/domain/ip-address.ts';

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
  /** The server address. */
  readonly host: string;
  /** Directory for the capture file (the caller cleans it up). */
  readonly dir: string;
  readonly signal?: AbortSignal;
}

export interface Capture {
  readonly file: string;
  /** Stops dumpcap (by its PID, after a fence proved the file complete) and parses the capture. */
  stop(opts?: { signal?: AbortSignal }): Promise<TcpConnection[]>;
}

export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  const probeIp = addressFor('capture-probe');
  const cap = await startDumpcap({
    port: opts.port, host: opts.host, probeIp, dir: opts.dir, fileName: `seeder-${opts.port}.pcapng`, snaplen: SNAPLEN,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return {
    file: cap.file,
    async stop(stopOpts = {}) {
      const { fencePort, dropped, received } = await cap.stop(stopOpts);
      if (dropped > 0) throw new CaptureError(`dumpcap dropped ${dropped} of ${received} packets: the capture is incomplete`);
      const all = await readConnections(cap.file, opts.port, stopOpts.signal);
      if (!all.some((c) => c.srcIp === probeIp && c.srcPort === fencePort)) {
        throw new CaptureError(`capture incomplete: fence probe from port ${fencePort} missing in ${cap.file} after stop`);
      }
      return all.filter((c) => c.srcIp !== probeIp);
    },
  };
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
  // ipv6.src/ipv6.dst last: an IPv6 packet has empty ip.src/ip.dst (issue 10 item 2, IPv6 downloads).
  const fields = ['frame.time_epoch', 'tcp.stream', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.len', 'ipv6.src', 'ipv6.dst'];
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
    const [time, stream, src4, sport, dst4, dport, syn, ack, len, src6, dst6] = line.split(',');
    // Addresses in the one spelling records use (RFC 5952), whichever family the packet has.
    const src = src4 || src6 ? socketIp((src4 || src6)!) : undefined;
    const dst = dst4 || dst6 ? socketIp((dst4 || dst6)!) : undefined;
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
