/**
 * Issue 15 item 5: can the examiners' hash list (MD5, SHA-1, SHA-256 of every decoy's content) keep
 * up with 20,000 new decoys a day? counterseed's ContentHasher (hash-state checkpoints over the fill)
 * against the plain way, reading every byte and hashing it with the same three digests, on the SAME
 * decoys in the same run. The plain way reads terabytes for a day's decoys, so both sides are timed on
 * a reference set small enough to read (BENCH_REF decoys, default 12); counterseed is then timed alone
 * on a full day's list (BENCH_N, default 20,000). Sizes: log-normal, median 300 MB, capped at 4 GiB,
 * as in bench:decoy-factory.
 *
 *   node bench/decoy-hashes.bench.ts        # BENCH_N=20000 BENCH_REF=12
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ContentHasher } from '../src/decoy/content-hasher.ts';
import { VirtualPieceSource } from '../src/decoy/virtual-source.ts';
import { defaultPayloadPath } from '../src/payload/index.ts';
import { minSize } from '../src/payload/variants/layout.ts';
import { paddingLayout } from '../src/payload/variants/padding.ts';

const N = Number(process.env.BENCH_N ?? 20_000);
const REF = Number(process.env.BENCH_REF ?? 12);
const CAP = 4 * 1024 ** 3;
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d });

function rng(seed: number): () => number {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(42);
const layout = paddingLayout('mp4', new Uint8Array(readFileSync(defaultPayloadPath())));
const sizes = Array.from({ length: N }, () => {
  const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return Math.max(minSize(layout), Math.min(CAP, Math.round(300e6 * Math.exp(z))));
});
const source = (i: number) => {
  const nonce = new Uint8Array(32);
  new DataView(nonce.buffer).setUint32(0, i);
  return new VirtualPieceSource([{ layout, size: sizes[i]!, nonce }]);
};

/** The plain way: read the content in 1 MiB chunks and feed the three digests. */
function plain(src: VirtualPieceSource): string {
  const hs = ['md5', 'sha1', 'sha256'].map((a) => createHash(a));
  for (let off = 0; off < src.length; off += 1 << 20) {
    const b = src.read(off, Math.min(1 << 20, src.length - off));
    for (const h of hs) h.update(b);
  }
  return hs[2]!.digest('hex');
}

const refIdx = Array.from({ length: REF }, (_, i) => i);
const refBytes = refIdx.reduce((a, i) => a + sizes[i]!, 0);
let t = performance.now();
const plainSha = refIdx.map((i) => plain(source(i)));
const plainMs = performance.now() - t;
const hasher = new ContentHasher();
t = performance.now();
const fast = [];
for (const i of refIdx) fast.push((await hasher.digests(source(i))).sha256);
const fastRefMs = performance.now() - t;
if (fast.join() !== plainSha.join()) throw new Error('ContentHasher and the plain read disagree');

const day = new ContentHasher();
const order = sizes.map((_, i) => i).sort((a, b) => sizes[a]! - sizes[b]!);
t = performance.now();
for (const i of order) await day.digests(source(i));
const dayMs = performance.now() - t;
const dayBytes = sizes.reduce((a, b) => a + b, 0);

console.log(`decoy hash lists (MD5 + SHA-1 + SHA-256), same decoys, same run${process.env.BENCH_NOTE ? ` (${process.env.BENCH_NOTE})` : ''}`);
console.log(`reference set: ${REF} decoys, ${fmt(refBytes / 1e9, 2)} GB nominal (fresh hasher: includes its first walk over the fill)`);
console.log(`  plain read + hash      ${fmt(plainMs / 1000, 2)} s   ${fmt(REF / (plainMs / 1000), 2)} decoys/s   ${fmt(refBytes / 1e6 / (plainMs / 1000), 0)} MB/s`);
console.log(`  counterseed            ${fmt(fastRefMs / 1000, 2)} s   ${fmt(REF / (fastRefMs / 1000), 2)} decoys/s   ratio x${fmt(fastRefMs / plainMs, 3)} of the plain time`);
console.log(`a day's list: ${fmt(N, 0)} decoys, ${fmt(dayBytes / 1e12, 2)} TB nominal, in size order`);
console.log(`  counterseed            ${fmt(dayMs / 1000, 1)} s   ${fmt(N / (dayMs / 1000), 0)} decoys/s   = ${fmt(N / (dayMs / 1000) * 86_400 / 1e6, 2)} M decoys/day of CPU on one core (target: 20,000/day)`);
