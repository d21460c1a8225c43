/**
 * Hybrid v1+v2 decoys (BEP 52 with BEP 47 pad files): the Merkle code against a literal
 * definition, and libtorrent 2.0.8 (python3-libtorrent, offline: no peers, loopback
 * listen only) parsing the .torrent as hybrid and accepting every piece of the
 * materialised content under both v1 and v2 hashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVirtualDecoys, type DecoySpec } from '../../../src/decoy/factory.ts';
import { buildTorrentFile, parseTorrentFile } from '../../../src/decoy/index.ts';
import { fileMerkle, V2_BLOCK } from '../../../src/decoy/merkle-v2.ts';
import { decoyPieceLayers, isV2Info } from '../../../src/decoy/v2-hashes.ts';
import { VirtualPieceSource } from '../../../src/decoy/virtual-source.ts';
import { defaultPayloadPath, DEFAULT_PAYLOAD_ID } from '../../../src/payload/index.ts';
import { PAD_LAYOUT } from '../../../src/payload/variants/layout.ts';
import { paddingLayout } from '../../../src/payload/variants/padding.ts';

const sha = (...b: Uint8Array[]) => { const h = createHash('sha256'); for (const x of b) h.update(x); return new Uint8Array(h.digest()); };

/** BEP 52 read literally: all leaves, zero-padded to a power of two, pairwise up to the root. */
function literalRoot(data: Uint8Array): Uint8Array {
  const leaves: Uint8Array[] = [];
  for (let o = 0; o < data.length; o += V2_BLOCK) leaves.push(sha(data.subarray(o, Math.min(data.length, o + V2_BLOCK))));
  let n = 1;
  while (n < leaves.length) n *= 2;
  while (leaves.length < n) leaves.push(new Uint8Array(32));
  let level = leaves;
  while (level.length > 1) { const up: Uint8Array[] = []; for (let i = 0; i < level.length; i += 2) up.push(sha(level[i]!, level[i + 1]!)); level = up; }
  return level[0]!;
}

test('fileMerkle equals the literal BEP 52 tree; the piece layer hashes piece-sized subtrees', () => {
  for (const len of [1, V2_BLOCK, V2_BLOCK + 1, 5 * V2_BLOCK + 7, 64 * V2_BLOCK]) {
    const data = new Uint8Array(len).map((_, i) => (i % 251 < 200 ? 0 : i & 0xff)); // runs of equal blocks and unique ones
    const P = 4 * V2_BLOCK;
    const m = fileMerkle(len, P, (i) => sha(data.subarray(i * V2_BLOCK, Math.min(len, (i + 1) * V2_BLOCK))));
    assert.deepEqual(m.root, literalRoot(data), `root for ${len}`);
    if (len <= P) assert.equal(m.layer, undefined);
    else {
      assert.equal(m.layer!.length, Math.ceil(len / P) * 32);
      // Each layer entry is the root of its piece padded with zero leaves to a full piece.
      const last = Math.ceil(len / P) - 1;
      const piece = data.subarray(last * P);
      const leaves: Uint8Array[] = Array.from({ length: P / V2_BLOCK }, (_, i) => (i * V2_BLOCK < piece.length ? sha(piece.subarray(i * V2_BLOCK, Math.min(piece.length, (i + 1) * V2_BLOCK))) : new Uint8Array(32)));
      let level = leaves;
      while (level.length > 1) { const up: Uint8Array[] = []; for (let i = 0; i < level.length; i += 2) up.push(sha(level[i]!, level[i + 1]!)); level = up; }
      assert.deepEqual(m.layer!.subarray(last * 32), level[0]);
    }
  }
});

const mp4 = paddingLayout('mp4', new Uint8Array(readFileSync(defaultPayloadPath())));
const txt = paddingLayout('txt', new TextEncoder().encode('warning text\n'));

const LT_CHECK = `
import json, sys, time, libtorrent as lt
ti = lt.torrent_info(sys.argv[1])
ih = ti.info_hashes()
s = lt.session({'listen_interfaces': '127.0.0.1:0', 'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False}, 0)
h = s.add_torrent({'ti': ti, 'save_path': sys.argv[2]})
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    st = h.status()
    if st.state in (lt.torrent_status.seeding, lt.torrent_status.finished) or (st.state == lt.torrent_status.downloading and st.progress < 1):
        break
    time.sleep(0.1)
st = h.status()
print(json.dumps({'v1': ih.has_v1(), 'v2': ih.has_v2(), 'v1hash': str(ih.v1), 'files': ti.num_files(),
  'pads': sum(1 for i in range(ti.num_files()) if ti.files().file_flags(i) & lt.file_storage.flag_pad_file),
  'progress': st.progress, 'state': str(st.state), 'pieces': ti.num_pieces(), 'have': sum(1 for b in st.pieces if b)}))
`;

for (const [label, spec] of [
  ['single-file', { line: 1, name: 'holiday-video-0042.mp4', hybrid: true, files: [{ size: 5_000_000, variantId: DEFAULT_PAYLOAD_ID, layout: mp4 }] }],
  ['multi-file', { line: 1, name: 'holiday-folder-0042', hybrid: true, files: [
    { path: ['holiday-video-0042.mp4'], size: 3_000_123, variantId: DEFAULT_PAYLOAD_ID, layout: mp4 },
    { path: ['notes', 'readme-0042.txt'], size: 1000, variantId: DEFAULT_PAYLOAD_ID, layout: txt },
    { path: ['holiday-video-0043.mp4'], size: 2_500_000, variantId: DEFAULT_PAYLOAD_ID, layout: mp4 },
  ] }],
] as [string, DecoySpec][]) {
  test(`hybrid ${label} decoy: libtorrent parses v1+v2 and verifies every piece of the materialised content`, () => {
    const [b] = buildVirtualDecoys([spec]);
    const d = { ...b!.decoy, id: 1 };
    assert.equal(isV2Info(d.info), true);
    const files = b!.files.map((f) => ({ layout: f.format === 'pad' ? PAD_LAYOUT : f.format === 'txt' ? txt : mp4, size: f.size, nonce: f.nonce, ...(f.path ? { path: f.path } : {}) }));
    const src = new VirtualPieceSource(files);
    assert.equal(src.length, d.size);
    const torrent = buildTorrentFile({ info: d.info, createdBy: 'test', pieceLayers: decoyPieceLayers(d, src)! });
    const parsed = parseTorrentFile(torrent);
    assert.equal(parsed.hybrid, true);
    assert.equal(Buffer.from(parsed.infoHash).toString('hex'), d.infoHash);
    const dir = mkdtempSync(join(tmpdir(), 'cs-hybrid-'));
    try {
      writeFileSync(join(dir, 'x.torrent'), torrent);
      // Materialise: what a client saves (pad files are not written; libtorrent does not need them).
      let at = 0;
      for (const f of parsed.files) {
        if (!f.pad) {
          const p = parsed.multiFile ? join(dir, 'data', parsed.name, ...f.path) : join(dir, 'data', parsed.name);
          mkdirSync(join(p, '..'), { recursive: true });
          writeFileSync(p, src.read(at, f.length));
        }
        at += f.length;
      }
      const r = JSON.parse(execFileSync('/usr/bin/python3', ['-c', LT_CHECK, join(dir, 'x.torrent'), join(dir, 'data')], { encoding: 'utf8', timeout: 90_000 })) as Record<string, unknown>;
      assert.equal(r.v1, true);
      assert.equal(r.v2, true);
      assert.equal(r.v1hash, d.infoHash);
      assert.equal(r.pads, label === 'multi-file' ? 2 : 0);
      assert.equal(r.have, r.pieces, `libtorrent accepted every piece (${JSON.stringify(r)})`);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}
