import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Observation } from '../../../src/domain/observation.ts';
import { chainRecords, MAX_BATCH_ROWS, type ChainBatch, type ChainRow } from '../../../src/evidence/chain/chain-records.ts';
import { CanonicalEncodingError, EvidenceError } from '../../../src/evidence/errors.ts';
import { emptyFrontier, frontierFromBytes, frontierRoot, nodeHash, type Frontier } from '../../../src/evidence/merkle.ts';
import { leafHashOfText } from '../../../src/evidence/merkle.ts';
import { encodeRecord, GENESIS_PREV, type ClockStatement } from '../../../src/evidence/record.ts';
import { codecOf } from '../../../src/store/sqlite/record-tables/registry.ts';
import { sampleAnnounce, sampleDelivery } from '../../helpers/sample-observations.ts';

const NODE = 'ef'.repeat(32);
const INFO_HASH = 'ab'.repeat(20);
/** Strings JSON must escape, or that only look simple. */
const AWKWARD = ['', 'plain', 'quote " and \\ backslash', 'line\nbreak\ttab\u0001ctl', 'é ü ø 日本', 'emoji 🎥', 'sep \u2028 \u2029', '\u007f del', 'lone \ud800 surrogate', 'x'.repeat(300)];

type Recordable = Observation | ClockStatement;

/** Every kind, with awkward strings and integers at the edges of what the record holds. */
function recordables(n: number): Recordable[] {
  const out: Recordable[] = [];
  for (let i = 0; out.length < n; i++) {
    const s = AWKWARD[i % AWKWARD.length]!;
    const at = i % 7 === 0 ? Number.MAX_SAFE_INTEGER - i : 1_764_000_000_000 + i;
    switch (i % 5) {
      case 0: out.push(sampleDelivery(1, INFO_HASH, {
        client: s, clientVersion: i % 2 ? null : s, disconnectReason: s, startedAt: at, listenPort: i % 3 ? null : 51413,
        servedRanges: i % 2 ? [] : [[0, 16384], [32768, Number.MAX_SAFE_INTEGER]], peerPiecesAtStart: i % 2 ? null : 0,
        bytesServed: i * 99_991, completed: i % 2 === 0, metadataOnly: i % 2 === 1, sessionId: `holiday-video-0042.mp4 ${s}`,
      })); break;
      case 1: out.push({ ...sampleAnnounce(INFO_HASH, i % 2 ? null : 1), at, downloaded: Number.MAX_SAFE_INTEGER, claimedIp: i % 2 ? null : s }); break;
      case 2: out.push({ kind: 'swarm-presence', at, strength: 'weak', source: 'dht-get-peers', infoHash: INFO_HASH, decoyId: i % 2 ? null : 1, remoteIp: `198.18.0.${i % 256}`, remotePort: i % 65536, localIp: '198.18.0.2' }); break;
      case 3: out.push({ kind: 'rejected-connection', at, remoteIp: '198.18.0.9', remotePort: i, infoHash: i % 2 ? null : INFO_HASH, reason: s }); break;
      default: out.push({ kind: 'clock', at, source: s, syncState: 'unknown', ntpOffsetMs: i % 2 ? null : -(2 ** 40) - i, ntpServer: i % 2 ? null : s, note: s });
    }
  }
  return out;
}

const rowsOf = (os: readonly Recordable[]): ChainRow[] => os.map((o) => ({ kind: o.kind, values: codecOf(o.kind).toRow(o) }));
const hex = (hashes: Buffer, i: number) => hashes.subarray(32 * i, 32 * (i + 1)).toString('hex');

/** RFC 9162 section 2.1.1 MTH, written literally with node:crypto (independent of merkle.ts). */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash('sha256').update(Buffer.from([1])).update(mth(leaves.slice(0, k))).update(mth(leaves.slice(k))).digest();
}

/** The plain frontier append (RFC 9162 compact range): a Buffer per node, popped and pushed. */
function frontierAppend(f: Frontier, leaf: Buffer): void {
  f.roots.push(leaf);
  f.size++;
  for (let s = f.size; s % 2 === 0; s /= 2) {
    const right = f.roots.pop()!;
    f.roots.push(nodeHash(f.roots.pop()!, right));
  }
}

/** The loop written out plainly: recordText, leafHashOfText, and a Buffer-per-node frontier append. */
function todaysLoop(b: ChainBatch): { hashes: string[]; frontier: Frontier } {
  const f = { size: b.frontier.size, roots: b.frontier.roots.slice() };
  const hashes: string[] = [];
  let prev = b.prev;
  let seq = b.seq;
  for (const r of b.rows) {
    const hash = leafHashOfText(codecOf(r.kind).recordText(r.values, seq, prev, b.node));
    frontierAppend(f, hash);
    prev = hash.toString('hex');
    hashes.push(prev);
    seq++;
  }
  return { hashes, frontier: f };
}

/** A batch after `before` records (chained the reference way), over `rows`. */
function batchAfter(before: readonly Recordable[], rows: readonly ChainRow[]): ChainBatch {
  const start: ChainBatch = { node: NODE, seq: 0, prev: GENESIS_PREV, frontier: emptyFrontier(), rows: rowsOf(before) };
  const done = todaysLoop(start);
  return { node: NODE, seq: before.length, prev: done.hashes.at(-1) ?? GENESIS_PREV, frontier: done.frontier, rows };
}

function assertSameAsTodaysLoop(b: ChainBatch, got: { hashes: Buffer; frontier: Frontier }): void {
  const want = todaysLoop(b);
  assert.equal(got.hashes.length, 32 * b.rows.length);
  for (let i = 0; i < b.rows.length; i++) assert.equal(hex(got.hashes, i), want.hashes[i], `record ${b.seq + i} (${b.rows[i]!.kind})`);
  assert.equal(got.frontier.size, want.frontier.size);
  assert.deepEqual(got.frontier.roots.map((r) => r.toString('hex')), want.frontier.roots.map((r) => r.toString('hex')));
}

describe('chainRecords (the evidence writer thread chains every batch with it)', () => {
  it('gives the hashes and frontier of the record texts, computed independently (canonicalJson, SHA-256, literal MTH)', () => {
    const all = recordables(60);
    const leaves: Buffer[] = [];
    let prev = GENESIS_PREV;
    for (const [seq, o] of all.entries()) {
      const { hash } = encodeRecord(o, seq, prev, NODE);
      leaves.push(hash);
      prev = hash.toString('hex');
    }
    // Two batches: the second starts from a non-empty frontier (37 = 100101b: three roots).
    const first = chainRecords({ node: NODE, seq: 0, prev: GENESIS_PREV, frontier: emptyFrontier(), rows: rowsOf(all.slice(0, 37)) });
    const second = chainRecords({ node: NODE, seq: 37, prev: hex(first.hashes, 36), frontier: first.frontier, rows: rowsOf(all.slice(37)) });
    const got = Buffer.concat([first.hashes, second.hashes]);
    for (let i = 0; i < all.length; i++) assert.equal(hex(got, i), leaves[i]!.toString('hex'), `record ${i} (${all[i]!.kind})`);
    assert.equal(frontierRoot(first.frontier).toString('hex'), mth(leaves.slice(0, 37)).toString('hex'));
    assert.equal(frontierRoot(second.frontier).toString('hex'), mth(leaves).toString('hex'));
    assert.equal(second.frontier.size, 60);
  });

  it('equals the plain loop (recordText, leafHashOfText, frontierAppend), from a non-empty frontier, and leaves the given frontier alone', () => {
    const b = batchAfter(recordables(11), rowsOf(recordables(45)));
    const before = b.frontier.roots.map((r) => r.toString('hex'));
    assertSameAsTodaysLoop(b, chainRecords(b));
    assert.deepEqual(b.frontier.roots.map((r) => r.toString('hex')), before);
    assert.equal(b.frontier.size, 11);
  });

  it('writes sequence numbers past 2^31 and 2^40 as the plain loop does', () => {
    const size = 2 ** 40 + 2 ** 31 + 5; // four roots
    const frontier = frontierFromBytes(size, Buffer.alloc(4 * 32, 7));
    const b: ChainBatch = { node: NODE, seq: size, prev: 'cd'.repeat(32), frontier, rows: rowsOf(recordables(9)) };
    assertSameAsTodaysLoop(b, chainRecords(b));
  });

  it('an empty batch changes nothing', () => {
    const b = batchAfter(recordables(3), []);
    const r = chainRecords(b);
    assert.equal(r.hashes.length, 0);
    assert.equal(frontierRoot(r.frontier).toString('hex'), frontierRoot(b.frontier).toString('hex'));
  });

  it('refuses a bad header, a frontier of another size, an oversized batch and values its record cannot hold', () => {
    const ok = batchAfter(recordables(2), rowsOf(recordables(2)));
    assert.throws(() => chainRecords({ ...ok, node: 'EF'.repeat(32) }), EvidenceError);
    assert.throws(() => chainRecords({ ...ok, prev: 'x' }), EvidenceError);
    assert.throws(() => chainRecords({ ...ok, seq: 3 }), /frontier over 2 records/);
    assert.throws(() => chainRecords({ ...ok, seq: 0, frontier: emptyFrontier() }), /seq 0/);
    assert.throws(() => chainRecords({ ...ok, rows: new Array<ChainRow>(MAX_BATCH_ROWS + 1) }), /at most 1000000/);
    const bad = rowsOf(recordables(1));
    assert.throws(() => chainRecords({ ...ok, rows: [{ kind: 'delivery', values: bad[0]!.values.map((v, i) => (i === 0 ? 1.5 : v)) }] }), CanonicalEncodingError);
  });
});

