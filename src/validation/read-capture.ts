/**
 * Reads the validation capture with tshark, independently of counterseed's own codecs:
 * TCP connections to the seeder port from the TCP headers, and the piece messages the
 * seeder sent from Wireshark's `bittorrent` dissector (decode-as on the seeder port, TCP
 * reassembly on). Encrypted (MSE) streams cannot be dissected; for them only the TCP
 * payload byte counts are known.
 */
import { ValidationError } from './errors.ts';
import { run } from './proc.ts';

export const TSHARK = '/usr/bin/tshark';
/** Refuse absurd captures: a validation download is a few thousand packets. */
const MAX_ROWS = 5_000_000;
/** BEP 3 message ids that carry a piece index / a begin offset (BEP 6 adds 13, 16, 17). */
const HAS_INDEX = new Set([4, 6, 7, 8, 13, 16, 17]);
const HAS_BEGIN = new Set([6, 7, 8, 16]);
/** BEP 3: piece = <len=0009+X><id=7><index><begin><block>. */
const PIECE = 7;
const PIECE_HEADER = 9;

export interface CapturedPiece { readonly index: number; readonly begin: number; readonly length: number }

/** One TCP connection opened to the seeder port, as the capture shows it. */
export interface CapturedConnection {
  readonly stream: number;
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  /** UTC ms (fractional) of the client's SYN. */
  readonly synMs: number;
  /** UTC ms of the first FIN or RST in either direction; null if the capture shows none. */
  readonly endMs: number | null;
  readonly bytesToServer: number;
  readonly bytesFromServer: number;
  /** The client's first bytes were a plain BitTorrent handshake (BEP 3), so messages are decodable. */
  readonly plaintext: boolean;
  /** piece messages server -> client, in capture order (empty when not plaintext). */
  readonly pieces: readonly CapturedPiece[];
}

export const TSHARK_FIELDS = [
  'frame.time_epoch', 'tcp.stream', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport',
  'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset', 'tcp.len',
  'bittorrent.protocol.name', 'bittorrent.msg.type', 'bittorrent.msg.length', 'bittorrent.piece.index', 'bittorrent.piece.begin',
  // The kernel's retransmissions are on the wire twice but were written once: not counted.
  'tcp.analysis.retransmission',
] as const;

export function tsharkArgs(file: string, serverPort: number): string[] {
  return ['-r', file, '-n', '-d', `tcp.port==${serverPort},bittorrent`, '-o', 'tcp.desegment_tcp_streams:TRUE', '-Y', 'tcp',
    '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=;', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
}

export async function readCapture(file: string, opts: { serverPort: number; probeIp: string; fencePort?: number; signal?: AbortSignal }): Promise<CapturedConnection[]> {
  // Every row is parsed as it arrives: run()'s stdout keeps only a bounded tail, which for a dozen
  // downloads already lost the first connections (they were then reported missing from the capture).
  const parser = new CaptureParser(opts.serverPort);
  let bad: unknown;
  const r = await run(TSHARK, tsharkArgs(file, opts.serverPort), {
    timeoutMs: 300_000, ...(opts.signal ? { signal: opts.signal } : {}),
    onStdoutLine: (line) => { if (bad === undefined) try { parser.line(line); } catch (e) { bad = e; } },
  });
  if (r.code !== 0) throw new ValidationError(`tshark -r ${file} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  if (bad !== undefined) throw bad;
  const all = parser.connections();
  // The last fence probe must be in the file: packets reach dumpcap in order, so all before it are too.
  if (opts.fencePort !== undefined && !all.some((c) => c.srcIp === opts.probeIp && c.srcPort === opts.fencePort)) {
    throw new ValidationError(`capture incomplete: fence probe from ${opts.probeIp}:${opts.fencePort} missing in ${file}`);
  }
  return all.filter((c) => c.srcIp !== opts.probeIp);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Acc = Mutable<Omit<CapturedConnection, 'pieces'>> & { pieces: CapturedPiece[] };

/** Pure: tshark rows (fields as TSHARK_FIELDS, tab-separated, ';' between occurrences) -> connections in SYN order. */
export function parseCaptureRows(text: string, serverPort: number): CapturedConnection[] {
  const p = new CaptureParser(serverPort);
  for (const line of text.split('\n')) p.line(line);
  return p.connections();
}

/** parseCaptureRows one row at a time, as tshark prints them (at most MAX_ROWS packets). */
export class CaptureParser {
  readonly #serverPort: number;
  readonly #streams = new Map<string, Acc>();
  #rows = 0;

  constructor(serverPort: number) { this.#serverPort = serverPort; }

  /** Connections in SYN order. */
  connections(): CapturedConnection[] {
    return [...this.#streams.values()].sort((a, b) => a.synMs - b.synMs);
  }

  line(line: string): void {
    const serverPort = this.#serverPort;
    const streams = this.#streams;
    if (line.trim() === '') return;
    if (++this.#rows > MAX_ROWS) throw new ValidationError(`more than ${MAX_ROWS} packets in the capture`);
    const f = line.split('\t');
    if (f.length < 11) throw new ValidationError(`malformed tshark row: ${line.slice(0, 200)}`);
    const [time, stream, src, sport, dst, dport, syn, ack, fin, rst, len, proto, types, lengths, indexes, begins, retransmission] = f as [string, string, string, string, string, string, string, string, string, string, string, ...(string | undefined)[]];
    const ms = Number(time) * 1000;
    const srcPort = Number(sport), dstPort = Number(dport);
    let c = streams.get(stream);
    // RFC 9293 3.5: a connection starts with a SYN without ACK; streams whose SYN preceded the capture are ignored.
    if (!c) {
      if (!(flag(syn) && !flag(ack) && dstPort === serverPort)) return;
      c = { stream: Number(stream), srcIp: src, srcPort, dstIp: dst, dstPort, synMs: ms, endMs: null, bytesToServer: 0, bytesFromServer: 0, plaintext: false, pieces: [] };
      streams.set(stream, c);
      return;
    }
    if ((flag(fin) || flag(rst)) && c.endMs === null) c.endMs = ms;
    if (flag(retransmission)) return;
    const toServer = src === c.srcIp && srcPort === c.srcPort;
    if (toServer) {
      if (c.bytesToServer === 0 && Number(len) > 0 && proto === 'BitTorrent protocol') c.plaintext = true;
      c.bytesToServer += Number(len);
    } else {
      c.bytesFromServer += Number(len);
      if (c.plaintext) c.pieces.push(...piecesOf(types, lengths, indexes, begins));
    }
  }
}

/**
 * Aligns the per-message occurrences of one frame: every message has a length, keep-alives
 * (length 0) have no type; index/begin occur only for the message ids that carry them.
 */
export function piecesOf(types?: string, lengths?: string, indexes?: string, begins?: string): CapturedPiece[] {
  if (!types) return [];
  const t = types.split(';').map(Number);
  const l = (lengths ?? '').split(';').map(Number).filter((n) => n !== 0);
  const ix = (indexes ?? '').split(';').filter((s) => s !== '');
  const bg = (begins ?? '').split(';').filter((s) => s !== '');
  if (l.length !== t.length) throw new ValidationError(`tshark: ${t.length} message types but ${l.length} non-zero lengths in one frame`);
  const out: CapturedPiece[] = [];
  let i = 0, b = 0;
  t.forEach((type, k) => {
    const index = HAS_INDEX.has(type) ? ix[i++] : undefined;
    const begin = HAS_BEGIN.has(type) ? bg[b++] : undefined;
    if (type !== PIECE) return;
    if (index === undefined || begin === undefined) throw new ValidationError('tshark: piece message without index or begin');
    out.push({ index: Number(index), begin: Number(begin), length: l[k]! - PIECE_HEADER });
  });
  return out;
}

/** tshark prints flags as 1/0 (older) or True/False (newer). */
function flag(v: string | undefined): boolean {
  return v === '1' || v === 'True' || v === 'true';
}
