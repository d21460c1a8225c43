/**
 * Pure comparison of what the store recorded with what the capture shows (issue 5, section 6).
 *
 * Matching, in two passes so that a wrong field is reported as that field:
 *  1. a record and a connection with the same source IP and port and a start within tolerance;
 *  2. the rest: same source IP and start within tolerance (a port mismatch, reported as such).
 * Records left over are missing from the capture; connections left over were not recorded.
 * Every connection must end up with exactly one delivery or rejected-connection record.
 */
import type { ByteRange, DeliveryObservation, RejectedConnectionObservation } from '../domain/observation.ts';
import type { CapturedConnection, CapturedPiece } from './read-capture.ts';

export interface Tolerance {
  /** startedAt may precede the SYN by this much: startedAt is truncated to whole ms. */
  readonly startEarlyMs: number;
  /** startedAt may follow the SYN by this much: handshake RTT plus accept and event-loop latency. */
  readonly startLateMs: number;
  /** |endedAt - first FIN/RST| at most this much. */
  readonly endMs: number;
  /**
   * Encrypted (MSE) connections cannot be decoded: their server->client TCP payload must equal
   * bytesServed + 13 bytes per block + the fixed minimum (68 handshake + 110 MSE), plus at most
   * this much for MSE padding (PadB, PadD: 512 each) and control messages.
   */
  readonly mseExtraBytes: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { startEarlyMs: 1, startLateMs: 1000, endMs: 1000, mseExtraBytes: 8192 };

/** BEP 3 handshake (68) + MSE minimum from the responder (Yb 96, VC 8, crypto_select 4, len(PadD) 2). */
export const MSE_MIN_OVERHEAD = 68 + 96 + 8 + 4 + 2;
/** BEP 3 piece message header: <len><id=7><index><begin>. */
export const PIECE_MESSAGE_HEADER = 13;

export type Field = 'srcIp' | 'srcPort' | 'startedAt' | 'endedAt' | 'encryption' | 'bytesServed' | 'blocksServed' | 'servedRanges' | 'tcpBytes';

export interface FieldCheck {
  readonly field: Field;
  readonly recorded: unknown;
  readonly captured: unknown;
  readonly ok: boolean;
  readonly note?: string;
}

export interface DeliveryComparison {
  readonly sessionId: string;
  readonly decoyId: number;
  readonly client: string | null;
  readonly stream: number;
  readonly checks: readonly FieldCheck[];
}

export type Mismatch =
  | { readonly kind: 'field'; readonly sessionId: string; readonly stream: number; readonly field: Field; readonly recorded: unknown; readonly captured: unknown; readonly note?: string }
  | { readonly kind: 'missing-in-capture'; readonly record: 'delivery' | 'rejected-connection'; readonly remoteIp: string; readonly remotePort: number; readonly at: number }
  | { readonly kind: 'unrecorded-connection'; readonly stream: number; readonly srcIp: string; readonly srcPort: number; readonly synMs: number; readonly bytesToServer: number };

export interface ComparisonResult {
  readonly deliveries: number;
  readonly rejected: number;
  readonly connections: number;
  readonly compared: readonly DeliveryComparison[];
  readonly rejectedMatched: number;
  readonly mismatches: readonly Mismatch[];
}

export interface CompareInput {
  readonly deliveries: readonly DeliveryObservation[];
  readonly rejected: readonly RejectedConnectionObservation[];
  readonly connections: readonly CapturedConnection[];
  /** Piece length per decoy id, to turn (index, begin) into content offsets. */
  readonly pieceLengths: ReadonlyMap<number, number>;
  readonly tolerance: Tolerance;
}

export function compareRun(input: CompareInput): ComparisonResult {
  const tol = input.tolerance;
  const free = new Set(input.connections);
  const mismatches: Mismatch[] = [];
  const compared: DeliveryComparison[] = [];

  const startsNear = (d: DeliveryObservation, c: CapturedConnection) => d.startedAt - c.synMs >= -tol.startEarlyMs && d.startedAt - c.synMs <= tol.startLateMs;
  const pick = (pred: (c: CapturedConnection) => boolean, at: number): CapturedConnection | undefined => {
    let best: CapturedConnection | undefined;
    for (const c of free) if (pred(c) && (!best || Math.abs(c.synMs - at) < Math.abs(best.synMs - at))) best = c;
    if (best) free.delete(best);
    return best;
  };

  const pending: DeliveryObservation[] = [];
  const byStart = [...input.deliveries].sort((a, b) => a.startedAt - b.startedAt);
  for (const d of byStart) {
    const c = pick((c) => c.srcIp === d.remoteIp && c.srcPort === d.remotePort && startsNear(d, c), d.startedAt);
    if (c) compared.push(compareDelivery(d, c, input.pieceLengths.get(d.decoyId), tol));
    else pending.push(d);
  }
  // Rejected connections are recorded when they end (handshake timeout, unknown infohash, ...).
  let rejectedMatched = 0;
  const pendingRejected: RejectedConnectionObservation[] = [];
  for (const r of input.rejected) {
    const c = pick((c) => c.srcIp === r.remoteIp && c.srcPort === r.remotePort && r.at >= c.synMs - tol.startEarlyMs && r.at <= (c.endMs ?? Number.POSITIVE_INFINITY) + tol.endMs, r.at);
    if (c) rejectedMatched++;
    else pendingRejected.push(r);
  }
  for (const d of pending) {
    const c = pick((c) => c.srcIp === d.remoteIp && startsNear(d, c), d.startedAt);
    if (c) compared.push(compareDelivery(d, c, input.pieceLengths.get(d.decoyId), tol));
    else mismatches.push({ kind: 'missing-in-capture', record: 'delivery', remoteIp: d.remoteIp, remotePort: d.remotePort, at: d.startedAt });
  }
  for (const r of pendingRejected) mismatches.push({ kind: 'missing-in-capture', record: 'rejected-connection', remoteIp: r.remoteIp, remotePort: r.remotePort, at: r.at });
  for (const c of [...free].sort((a, b) => a.synMs - b.synMs)) {
    mismatches.push({ kind: 'unrecorded-connection', stream: c.stream, srcIp: c.srcIp, srcPort: c.srcPort, synMs: c.synMs, bytesToServer: c.bytesToServer });
  }
  for (const cmp of compared) {
    for (const ch of cmp.checks) {
      if (!ch.ok) mismatches.push({ kind: 'field', sessionId: cmp.sessionId, stream: cmp.stream, field: ch.field, recorded: ch.recorded, captured: ch.captured, ...(ch.note ? { note: ch.note } : {}) });
    }
  }
  compared.sort((a, b) => a.stream - b.stream);
  return { deliveries: input.deliveries.length, rejected: input.rejected.length, connections: input.connections.length, compared, rejectedMatched, mismatches };
}

export function compareDelivery(d: DeliveryObservation, c: CapturedConnection, pieceLength: number | undefined, tol: Tolerance): DeliveryComparison {
  const checks: FieldCheck[] = [];
  const check = (field: Field, recorded: unknown, captured: unknown, ok: boolean, note?: string) => checks.push({ field, recorded, captured, ok, ...(note ? { note } : {}) });
  check('srcIp', d.remoteIp, c.srcIp, d.remoteIp === c.srcIp);
  check('srcPort', d.remotePort, c.srcPort, d.remotePort === c.srcPort);
  const startDelta = d.startedAt - c.synMs;
  check('startedAt', iso(d.startedAt), iso(c.synMs), startDelta >= -tol.startEarlyMs && startDelta <= tol.startLateMs, `startedAt - SYN = ${startDelta.toFixed(3)} ms`);
  const endDelta = c.endMs === null ? null : d.endedAt - c.endMs;
  check('endedAt', iso(d.endedAt), c.endMs === null ? null : iso(c.endMs), endDelta !== null && Math.abs(endDelta) <= tol.endMs,
    endDelta === null ? 'no FIN/RST in the capture' : `endedAt - first FIN/RST = ${endDelta.toFixed(3)} ms`);
  check('encryption', d.encryption, c.plaintext ? 'none' : 'mse', (d.encryption === 'none') === c.plaintext);
  if (c.plaintext) {
    const bytes = c.pieces.reduce((s, p) => s + p.length, 0);
    check('bytesServed', d.bytesServed, bytes, d.bytesServed === bytes, 'sum of piece message payloads (Wireshark bittorrent dissector)');
    check('blocksServed', d.blocksServed, c.pieces.length, d.blocksServed === c.pieces.length);
    const ranges = pieceLength === undefined ? null : coalesce(c.pieces, pieceLength);
    check('servedRanges', d.servedRanges, ranges, ranges !== null && sameRanges(d.servedRanges, ranges), pieceLength === undefined ? 'unknown decoy' : undefined);
  } else {
    const min = d.bytesServed + PIECE_MESSAGE_HEADER * d.blocksServed + MSE_MIN_OVERHEAD;
    const extra = c.bytesFromServer - min;
    check('tcpBytes', `${min}..${min + tol.mseExtraBytes}`, c.bytesFromServer, extra >= 0 && extra <= tol.mseExtraBytes,
      'MSE/RC4: pieces not decodable; server->client TCP payload vs bytesServed + 13/block + 178, plus padding and control messages');
  }
  return { sessionId: d.sessionId, decoyId: d.decoyId, client: d.client, stream: c.stream, checks };
}

/** Content byte ranges [start, end) covered by piece messages, sorted and merged (as the recorder coalesces). */
export function coalesce(pieces: readonly CapturedPiece[], pieceLength: number): ByteRange[] {
  const spans = pieces.map((p) => [p.index * pieceLength + p.begin, p.index * pieceLength + p.begin + p.length] as [number, number]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function sameRanges(a: readonly ByteRange[], b: readonly ByteRange[]): boolean {
  return a.length === b.length && a.every((r, i) => r[0] === b[i]![0] && r[1] === b[i]![1]);
}

function iso(ms: number): string {
  // Sub-ms digits kept for capture times (pcapng has ns resolution).
  const whole = Math.floor(ms);
  const frac = ms - whole;
  const base = new Date(whole).toISOString();
  return frac === 0 ? base : `${base.slice(0, -1)}${frac.toFixed(3).slice(2)}Z`;
}
