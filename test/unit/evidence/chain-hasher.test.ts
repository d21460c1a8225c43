import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Observation } from '../../../src/domain/observation.ts';
import { ChainHasher, chainInline, MAX_BATCH_ROWS, WORKER_MAX_ROWS, type ChainBatch, type ChainRow } from '../../../src/evidence/chain/chain-hasher.ts';
import { JsonBytes } from '../../../src/evidence/chain/json-bytes.ts';
import { TapeReader, TapeWriter, type ValueTape } from '../../../src/evidence/chain/value-tape.ts';
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

/** The inline loop EvidenceLog.appendInTransaction ran before the chain hasher. */
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

const dataWorker = (js: string) => new URL(`data:text/javascript,${encodeURIComponent(js)}`);
/** Workers that say they are ready, then never answer: one crashes on the first batch, one ignores it; and one that cannot start. */
const CRASHING = dataWorker("import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => { throw new Error('test: the worker crashes'); }); parentPort.postMessage('ready');");
const SILENT = dataWorker("import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => {}); parentPort.postMessage('ready');");
const BROKEN = dataWorker("throw new Error('test: the worker cannot start');");

const hashers: ChainHasher[] = [];
const hasher = (init?: ConstructorParameters<typeof ChainHasher>[0]) => { const h = new ChainHasher(init); hashers.push(h); return h; };
after(async () => { for (const h of hashers) await h.close(); });

describe('chainInline', () => {
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
    const first = chainInline({ node: NODE, seq: 0, prev: GENESIS_PREV, frontier: emptyFrontier(), rows: rowsOf(all.slice(0, 37)) });
    const second = chainInline({ node: NODE, seq: 37, prev: hex(first.hashes, 36), frontier: first.frontier, rows: rowsOf(all.slice(37)) });
    const got = Buffer.concat([first.hashes, second.hashes]);
    for (let i = 0; i < all.length; i++) assert.equal(hex(got, i), leaves[i]!.toString('hex'), `record ${i} (${all[i]!.kind})`);
    assert.equal(frontierRoot(first.frontier).toString('hex'), mth(leaves.slice(0, 37)).toString('hex'));
    assert.equal(frontierRoot(second.frontier).toString('hex'), mth(leaves).toString('hex'));
    assert.equal(second.frontier.size, 60);
  });

  it('equals today\'s loop (recordText, leafHashOfText, frontierAppend), from a non-empty frontier, and leaves the given frontier alone', () => {
    const b = batchAfter(recordables(11), rowsOf(recordables(45)));
    const before = b.frontier.roots.map((r) => r.toString('hex'));
    assertSameAsTodaysLoop(b, chainInline(b));
    assert.deepEqual(b.frontier.roots.map((r) => r.toString('hex')), before);
    assert.equal(b.frontier.size, 11);
  });

  it('writes sequence numbers past 2^31 and 2^40 as today\'s loop does', () => {
    const size = 2 ** 40 + 2 ** 31 + 5; // four roots
    const frontier = frontierFromBytes(size, Buffer.alloc(4 * 32, 7));
    const b: ChainBatch = { node: NODE, seq: size, prev: 'cd'.repeat(32), frontier, rows: rowsOf(recordables(9)) };
    assertSameAsTodaysLoop(b, chainInline(b));
  });

  it('an empty batch changes nothing', () => {
    const b = batchAfter(recordables(3), []);
    const r = chainInline(b);
    assert.equal(r.hashes.length, 0);
    assert.equal(frontierRoot(r.frontier).toString('hex'), frontierRoot(b.frontier).toString('hex'));
  });

  it('refuses a bad header, a frontier of another size, an oversized batch and values its record cannot hold', () => {
    const ok = batchAfter(recordables(2), rowsOf(recordables(2)));
    assert.throws(() => chainInline({ ...ok, node: 'EF'.repeat(32) }), EvidenceError);
    assert.throws(() => chainInline({ ...ok, prev: 'x' }), EvidenceError);
    assert.throws(() => chainInline({ ...ok, seq: 3 }), /frontier over 2 records/);
    assert.throws(() => chainInline({ ...ok, seq: 0, frontier: emptyFrontier() }), /seq 0/);
    assert.throws(() => chainInline({ ...ok, rows: new Array<ChainRow>(MAX_BATCH_ROWS + 1) }), /at most 1000000/);
    const bad = rowsOf(recordables(1));
    assert.throws(() => chainInline({ ...ok, rows: [{ kind: 'delivery', values: bad[0]!.values.map((v, i) => (i === 0 ? 1.5 : v)) }] }), CanonicalEncodingError);
  });
});

describe('JsonBytes', () => {
  it('writes integers as String() does, across the int32 and 10^8 boundaries and up to 2^53 - 1', () => {
    const out = new JsonBytes(8);
    const ns = [0, 1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 1, 99_999_999, 1e8, 1e8 + 1, 1e15 - 1, 1e15, 1e15 + 1, 123_456_789_012_345, Number.MAX_SAFE_INTEGER];
    for (let x = 1; x < Number.MAX_SAFE_INTEGER / 3; x = x * 3 + 1) ns.push(x, x * 2);
    for (const n of ns) for (const v of [n, -n]) {
      out.reset();
      out.int(v);
      assert.equal(out.text(), String(v));
    }
  });

  it('writes strings as JSON.stringify does, growing as needed', () => {
    const out = new JsonBytes(4);
    for (const s of AWKWARD) {
      out.reset();
      out.string(s);
      assert.equal(out.text(), JSON.stringify(s));
    }
  });
});

describe('value tape', () => {
  it('gives back the values written, of every type a row can bind', () => {
    const rows: ChainRow[] = [
      ...rowsOf(recordables(12)),
      { kind: 'clock', values: [null, 0, -0, Number.NaN, 2 ** 60, 1.5, 12n, -(2n ** 70n), '', 'é 🎥 \ud800', Buffer.from('00ff', 'hex'), new Uint8Array(0), undefined as unknown as null] },
      { kind: 'delivery', values: [] },
    ];
    const w = new TapeWriter();
    for (let i = 0; i < 2; i++) assert.deepEqual(readAll(w.write(rows)!), rows.map((r) => ({ kind: r.kind, values: r.values.map(plain) })));
    assert.equal(w.write([{ kind: 'clock', values: [new DataView(new ArrayBuffer(1))] }]), undefined, 'other views are not packed');
  });
});

function readAll(t: ValueTape): { kind: string; values: unknown[] }[] {
  const reader = new TapeReader(t);
  const out = Array.from({ length: t.rows }, (_, i) => { const r = reader.row(i); return { kind: r.kind, values: r.values.map(plain) }; });
  assert.throws(() => reader.row(t.rows), RangeError);
  return out;
}

/** Blobs compared by bytes (the tape gives views of its shared memory), -0 told from 0. */
const plain = (v: unknown) => (v instanceof Uint8Array ? ['blob', Buffer.from(v).toString('hex')] : Object.is(v, -0) ? '-0' : v);

describe('ChainHasher', () => {
  it('a batch at or over the threshold goes to the worker, whose bytes equal chainInline\'s', async () => {
    const h = hasher({ workerThreshold: 64 });
    const small = batchAfter([], rowsOf(recordables(63)));
    const p = h.begin(small);
    assert.equal(h.workerRunning, false, 'a batch below the threshold starts no worker');
    const first = p.wait();
    assertSameAsTodaysLoop(small, first);
    assert.equal(await h.warmUp(), true);
    const rows = rowsOf(recordables(3000));
    let b: ChainBatch = { node: NODE, seq: 63, prev: hex(first.hashes, 62), frontier: first.frontier, rows: rows.slice(0, 1000) };
    for (let i = 0; i < 3; i++) {
      const want = chainInline(b);
      const got = h.begin(b).wait();
      assert.equal(h.workerRunning, true);
      assert.ok(got.hashes.equals(want.hashes), `batch ${i}: worker hashes equal inline`);
      assert.deepEqual(got.frontier, want.frontier);
      assertSameAsTodaysLoop(b, got);
      b = { node: NODE, seq: b.seq + b.rows.length, prev: hex(got.hashes, b.rows.length - 1), frontier: got.frontier, rows: rows.slice(1000 * (i + 1), 1000 * (i + 2)) };
    }
    assert.equal(h.workerFailure, undefined);
  });

  it('a batch over WORKER_MAX_ROWS is chained inline', async () => {
    const h = hasher({ workerThreshold: 8, timeoutMs: 1, workerUrl: SILENT });
    assert.equal(await h.warmUp(), true);
    const b = batchAfter([], rowsOf(recordables(5)).flatMap((r) => Array.from({ length: 1 + WORKER_MAX_ROWS / 5 }, () => r)));
    const r = h.begin(b).wait();
    assert.equal(h.workerFailure, undefined, 'the (silent) worker was never asked');
    assert.ok(r.hashes.equals(chainInline(b).hashes));
  });

  it('a value a record cannot hold throws CanonicalEncodingError, in either path, and keeps the worker', async () => {
    const h = hasher({ workerThreshold: 8 });
    assert.equal(await h.warmUp(), true);
    const rows = rowsOf(recordables(20));
    // A delivery's time (the record header) or its first field (the obs) past 2^53, or -0, or a DataView (never packed: chained inline).
    assert.equal(rows[5]!.kind, 'delivery');
    const bads = [[codecOf('delivery').timeIndex, 2 ** 60], [0, 2 ** 60], [0, -0], [0, new DataView(new ArrayBuffer(2))]] as const;
    for (const [field, value] of bads) {
      const bad = rows.map((r, k) => (k === 5 ? { kind: r.kind, values: r.values.map((v, j) => (j === field ? value : v)) } : r));
      assert.throws(() => h.begin(batchAfter([], bad)).wait(), CanonicalEncodingError, 'worker path');
      assert.throws(() => h.begin(batchAfter([], bad.slice(0, 7))).wait(), CanonicalEncodingError, 'inline path');
    }
    assert.throws(() => h.begin(batchAfter([], [{ kind: 'no-such-kind', values: [] }])), /no table records kind/);
    assert.equal(h.workerFailure, undefined);
    const good = batchAfter([], rows);
    assertSameAsTodaysLoop(good, h.begin(good).wait());
    assert.equal(h.workerRunning, true);
  });

  for (const [what, url] of [['crashes', CRASHING], ['never answers', SILENT]] as const) {
    it(`a worker that ${what} is given up: the batch and later ones are chained inline, none lost`, async () => {
      const failures: EvidenceError[] = [];
      const h = hasher({ workerThreshold: 8, timeoutMs: 500, workerUrl: url, onWorkerFailure: (e) => failures.push(e) });
      assert.equal(await h.warmUp(), true);
      const b = batchAfter(recordables(5), rowsOf(recordables(40)));
      assertSameAsTodaysLoop(b, h.begin(b).wait());
      assert.equal(failures.length, 1);
      assert.ok(failures[0] instanceof EvidenceError);
      assert.match(failures[0].message, /did not answer within 500 ms.*main thread/);
      assert.equal(h.workerFailure, failures[0]);
      assert.equal(h.workerRunning, false);
      const next = batchAfter(recordables(45), rowsOf(recordables(30)));
      assertSameAsTodaysLoop(next, h.begin(next).wait());
      assert.equal(failures.length, 1, 'told once');
      assert.equal(h.workerRunning, false, 'no new worker');
    });
  }

  it('a worker that cannot start stalls nothing: batches are chained inline meanwhile and after', async () => {
    const failures: EvidenceError[] = [];
    const h = hasher({ workerThreshold: 8, workerUrl: BROKEN, onWorkerFailure: (e) => failures.push(e) });
    const b = batchAfter([], rowsOf(recordables(10)));
    assertSameAsTodaysLoop(b, h.begin(b).wait());
    assert.equal(await h.warmUp(), false);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.message, /cannot start/);
    assertSameAsTodaysLoop(b, h.begin(b).wait());
    assert.equal(h.workerRunning, false);
  });

  it('one batch in flight at a time: begin() before wait() or abandon() throws', async () => {
    const h = hasher({ workerThreshold: 8 });
    assert.equal(await h.warmUp(), true);
    const b = batchAfter([], rowsOf(recordables(10)));
    const p = h.begin(b);
    assert.throws(() => h.begin(b), /already in flight/);
    p.abandon();
    assert.throws(() => p.wait(), /already waited for or abandoned/);
    const q = h.begin(b);
    assert.throws(() => h.begin(b), /already in flight/);
    assertSameAsTodaysLoop(b, q.wait());
    assertSameAsTodaysLoop(b, h.begin(b).wait());
  });

  it('an idle worker is stopped, and started again by the next big batch', async () => {
    const h = hasher({ workerThreshold: 8, idleMs: 50 });
    assert.equal(await h.warmUp(), true);
    const b = batchAfter([], rowsOf(recordables(10)));
    h.begin(b).wait();
    assert.equal(h.workerRunning, true);
    for (let i = 0; i < 100 && h.workerRunning; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.workerRunning, false, 'stopped when idle');
    assertSameAsTodaysLoop(b, h.begin(b).wait());
    assert.equal(h.workerRunning, true);
    assert.equal(h.workerFailure, undefined, 'stopping is not a failure');
  });

  it('the worker never keeps the process alive', () => {
    const hasherUrl = new URL('../../../src/evidence/chain/chain-hasher.ts', import.meta.url).href;
    const code = `const { ChainHasher } = await import(${JSON.stringify(hasherUrl)});
      const h = new ChainHasher({ workerThreshold: 1 });
      if (!(await h.warmUp())) throw h.workerFailure;
      const r = h.begin({ node: 'ef'.repeat(32), seq: 0, prev: '0'.repeat(64), frontier: { size: 0, roots: [] }, rows: [{ kind: 'swarm-presence', values: [1, 1, 'abab', '198.18.0.2', '198.18.0.3', 6881, 'dht-get-peers', 'weak'] }] }).wait();
      console.log(h.workerRunning, r.hashes.length);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.stderr, '');
    assert.equal(child.stdout.trim(), 'true 32', 'the worker ran, and the process ended without close()');
    assert.equal(child.status, 0);
  });

  it('close() ends the worker; later batches are chained inline', async () => {
    const h = hasher({ workerThreshold: 8 });
    assert.equal(await h.warmUp(), true);
    const b = batchAfter([], rowsOf(recordables(10)));
    h.begin(b).wait();
    assert.equal(h.workerRunning, true);
    await h.close();
    assert.equal(h.workerRunning, false);
    assertSameAsTodaysLoop(b, h.begin(b).wait());
    assert.equal(h.workerRunning, false);
  });
});
