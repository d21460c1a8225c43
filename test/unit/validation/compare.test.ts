/**
 * The comparison at the heart of `counterseed validate`, on synthetic capture rows and
 * deliveries: agreement passes, and each kind of disagreement is detected and named.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeliveryObservation, RejectedConnectionObservation } from '../../../src/domain/observation.ts';
import { compareRun, DEFAULT_TOLERANCE, MSE_MIN_OVERHEAD, type CompareInput } from '../../../src/validation/compare.ts';
import { parseCaptureRows, piecesOf } from '../../../src/validation/read-capture.ts';

const PORT = 6881;
const BLOCK = 16_384;
const PIECE_LEN = 32_768;
const T0 = 1_795_596_410_000; // ms

/** One tshark row (fields as TSHARK_FIELDS). */
function row(tMs: number, stream: number, src: string, sport: number, dst: string, dport: number, o: { syn?: boolean; ack?: boolean; fin?: boolean; len?: number; proto?: string; types?: string; lengths?: string; idx?: string; begin?: string; retransmission?: boolean } = {}): string {
  const b = (v?: boolean) => (v ? '1' : '0');
  return [(tMs / 1000).toFixed(9), stream, src, sport, dst, dport, b(o.syn), b(o.ack ?? !o.syn), b(o.fin), '0', o.len ?? 0, o.proto ?? '', o.types ?? '', o.lengths ?? '', o.idx ?? '', o.begin ?? '', o.retransmission ? '1' : ''].join('\t');
}

/** A plaintext connection from ip:port serving `blocks` blocks of BLOCK bytes, blocks i -> piece i/2, begin (i%2)*BLOCK. */
function plainConnection(stream: number, ip: string, port: number, startMs: number, blocks: number): string[] {
  const rows = [
    row(startMs, stream, ip, port, '198.18.0.2', PORT, { syn: true }),
    row(startMs + 0.05, stream, '198.18.0.2', PORT, ip, port, { syn: true, ack: true }),
    row(startMs + 0.1, stream, ip, port, '198.18.0.2', PORT, { len: 68, proto: 'BitTorrent protocol' }),
    // unchoke + keep-alive-free control message in the same frame as the first piece: alignment test
    row(startMs + 1, stream, '198.18.0.2', PORT, ip, port, { len: 5 + 17 + 13 + BLOCK, types: '1;17;7', lengths: `1;5;${9 + BLOCK}`, idx: '0x00000003;0x00000000', begin: '0x00000000' }),
  ];
  for (let i = 1; i < blocks; i++) {
    rows.push(row(startMs + 1 + i, stream, '198.18.0.2', PORT, ip, port, { len: 13 + BLOCK, types: '7', lengths: String(9 + BLOCK), idx: `0x${(i >> 1).toString(16)}`, begin: `0x${((i % 2) * BLOCK).toString(16)}` }));
  }
  rows.push(row(startMs + 50, stream, ip, port, '198.18.0.2', PORT, { fin: true }));
  return rows;
}

function delivery(ip: string, port: number, startedAt: number, blocks: number, over: Partial<DeliveryObservation> = {}): DeliveryObservation {
  return {
    kind: 'delivery', sessionId: `s-${ip}-${port}`, decoyId: 1, infoHash: 'ab'.repeat(20), remoteIp: ip, remotePort: port, localIp: '198.18.0.2', localPort: PORT,
    transport: 'tcp', encryption: 'none', startedAt, endedAt: startedAt + 50, peerId: '00'.repeat(20), client: 'test', clientVersion: null, listenPort: null,
    bytesServed: blocks * BLOCK, blocksServed: blocks, servedRanges: [[0, blocks * BLOCK]], peerPiecesAtStart: 0, peerPiecesAtEnd: 0, completed: false,
    metadataPiecesServed: 0, metadataOnly: false, disconnectReason: 'peer-closed', ...over,
  };
}

function input(rows: string[], deliveries: DeliveryObservation[], rejected: RejectedConnectionObservation[] = []): CompareInput {
  return { deliveries, rejected, connections: parseCaptureRows(rows.join('\n'), PORT), pieceLengths: new Map([[1, PIECE_LEN]]), tolerance: DEFAULT_TOLERANCE };
}

const A = '198.18.0.11', B = '198.18.0.13';
const base = () => [...plainConnection(1, A, 40001, T0, 6), ...plainConnection(2, B, 50001, T0 + 1000, 4)];
const good = () => [delivery(A, 40001, T0 + 0.4, 6), delivery(B, 50001, T0 + 1000.3, 4)];

test('a segment the kernel retransmitted counts once: its bytes and pieces are not added again', () => {
  const rows = base();
  // Block 2 of connection A, sent again (same frame content, flagged by tshark's TCP analysis).
  rows.splice(6, 0, row(T0 + 2.5, 1, '198.18.0.2', PORT, A, 40001, { len: 13 + BLOCK, types: '7', lengths: String(9 + BLOCK), idx: '0x1', begin: '0x0', retransmission: true }));
  const [a] = parseCaptureRows(rows.join('\n'), PORT);
  const [plain] = parseCaptureRows(base().join('\n'), PORT);
  assert.equal(a!.bytesFromServer, plain!.bytesFromServer);
  assert.equal(a!.pieces.length, 6);
  assert.deepEqual(compareRun(input(rows, good())).mismatches, []);
});

test('capture rows parse into connections with decoded piece messages', () => {
  const conns = parseCaptureRows(base().join('\n'), PORT);
  assert.equal(conns.length, 2);
  const a = conns[0]!;
  assert.equal(a.srcIp, A); assert.equal(a.srcPort, 40001); assert.equal(a.plaintext, true);
  assert.equal(a.pieces.length, 6);
  assert.deepEqual(a.pieces[0], { index: 0, begin: 0, length: BLOCK }, 'the piece after unchoke and allowed_fast in one frame keeps its own index');
  assert.equal(a.endMs, T0 + 50);
  assert.equal(a.bytesToServer, 68);
});

test('keep-alives (length 0, no type) do not shift the alignment', () => {
  assert.deepEqual(piecesOf('7', `0;${9 + 10}`, '0x2', '0x10'), [{ index: 2, begin: 16, length: 10 }]);
});

test('agreement: 0 mismatches, every field compared', () => {
  const r = compareRun(input(base(), good()));
  assert.deepEqual(r.mismatches, []);
  assert.equal(r.compared.length, 2);
  assert.deepEqual(r.compared[0]!.checks.map((c) => c.field), ['srcIp', 'srcPort', 'startedAt', 'endedAt', 'encryption', 'bytesServed', 'blocksServed', 'servedRanges']);
  assert.ok(r.compared.every((c) => c.checks.every((ch) => ch.ok)));
});

test('a wrong source port is reported as a srcPort mismatch', () => {
  const d = good(); d[0] = { ...d[0]!, remotePort: 40002 };
  const r = compareRun(input(base(), d));
  assert.deepEqual(r.mismatches.map((m) => (m.kind === 'field' ? m.field : m.kind)), ['srcPort']);
});

test('wrong bytes served, blocks and ranges are detected', () => {
  const d = good(); d[1] = { ...d[1]!, bytesServed: 4 * BLOCK - 1 };
  d[0] = { ...d[0]!, servedRanges: [[0, 5 * BLOCK]] };
  const r = compareRun(input(base(), d));
  assert.deepEqual(r.mismatches.map((m) => (m.kind === 'field' ? m.field : m.kind)).sort(), ['bytesServed', 'servedRanges']);
});

test('a start time outside tolerance is detected', () => {
  const d = good(); d[0] = { ...d[0]!, startedAt: T0 - 5 };
  const r = compareRun(input(base(), d));
  assert.ok(r.mismatches.length > 0);
  assert.ok(r.mismatches.some((m) => m.kind === 'missing-in-capture' || (m.kind === 'field' && m.field === 'startedAt')));
});

test('a recorded delivery missing from the capture is detected', () => {
  const r = compareRun(input(base(), [...good(), delivery('198.18.0.12', 33333, T0 + 2000, 2)]));
  assert.deepEqual(r.mismatches.map((m) => m.kind), ['missing-in-capture']);
});

test('a captured connection nobody recorded is detected', () => {
  const r = compareRun(input(base(), [good()[0]!]));
  assert.equal(r.mismatches.length, 1);
  const m = r.mismatches[0]!;
  assert.equal(m.kind, 'unrecorded-connection');
  assert.equal(m.kind === 'unrecorded-connection' && m.srcPort, 50001);
});

test('a rejected-connection record accounts for its captured connection', () => {
  const rows = [...base(), row(T0 + 3000, 3, A, 40009, '198.18.0.2', PORT, { syn: true }), row(T0 + 3001, 3, A, 40009, '198.18.0.2', PORT, { len: 20 }), row(T0 + 3100, 3, '198.18.0.2', PORT, A, 40009, { fin: true })];
  const rej: RejectedConnectionObservation = { kind: 'rejected-connection', at: T0 + 3100, remoteIp: A, remotePort: 40009, infoHash: null, reason: 'unknown-infohash' };
  assert.deepEqual(compareRun(input(rows, good(), [rej])).mismatches, []);
  assert.deepEqual(compareRun(input(rows, good(), [])).mismatches.map((m) => m.kind), ['unrecorded-connection']);
});

test('encrypted connections: TCP bytes must fit bytesServed plus framing and a bounded allowance', () => {
  const blocks = 4;
  const exact = blocks * BLOCK + 13 * blocks + MSE_MIN_OVERHEAD + 600;
  const mk = (fromServer: number) => [
    row(T0, 9, A, 41000, '198.18.0.2', PORT, { syn: true }),
    row(T0 + 1, 9, A, 41000, '198.18.0.2', PORT, { len: 96 }),
    row(T0 + 2, 9, '198.18.0.2', PORT, A, 41000, { len: fromServer }),
    row(T0 + 40, 9, A, 41000, '198.18.0.2', PORT, { fin: true }),
  ];
  const d = delivery(A, 41000, T0 + 0.5, blocks, { encryption: 'mse-rc4' });
  assert.deepEqual(compareRun(input(mk(exact), [d])).mismatches, []);
  const short = compareRun(input(mk(exact - 600 - BLOCK), [d])).mismatches;
  assert.deepEqual(short.map((m) => (m.kind === 'field' ? m.field : m.kind)), ['tcpBytes']);
  const plainClaim = compareRun(input(mk(exact), [{ ...d, encryption: 'none' }])).mismatches;
  assert.ok(plainClaim.some((m) => m.kind === 'field' && m.field === 'encryption'));
});
