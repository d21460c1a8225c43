import assert from 'node:assert/strict';
import crypto, { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it, mock } from 'node:test';
import { ContentHasher } from '../../../src/decoy/content-hasher.ts';
import { VirtualPieceSource } from '../../../src/decoy/virtual-source.ts';
import { hashDecoys, hashesCsv, hashesVics } from '../../../src/exports/decoy-hashes.ts';
import { defaultPayloadPath } from '../../../src/payload/index.ts';
import { paddingLayout } from '../../../src/payload/variants/padding.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

const MiB = 1024 * 1024;

describe('decoy hash list', () => {
  it('hashes content from the piece source (MD5, SHA-1, SHA-256) as CSV and VICS JSON', async () => {
    const a = testDecoy({ id: 1, size: 3_000_000, name: 'holiday-video-0042.mp4' });
    const b = testDecoy({ id: 2, size: 1000, name: 'garden, party-0007.avi' });
    const sources = new Map([[1, a.source], [2, b.source]]);
    const rows = await hashDecoys([a.decoy, b.decoy], (d) => sources.get(d.id)!);
    const want = (c: Uint8Array, alg: string) => createHash(alg).update(c).digest('hex');
    assert.deepEqual(rows[0], { id: 1, name: 'holiday-video-0042.mp4', infoHash: a.decoy.infoHash, size: 3_000_000, md5: want(a.content, 'md5'), sha1: want(a.content, 'sha1'), sha256: want(a.content, 'sha256') });
    const csv = hashesCsv(rows).split('\r\n');
    assert.equal(csv[0], 'decoy_id,name,size,md5,sha1,sha256,info_hash');
    assert.match(csv[2]!, /^2,"garden, party-0007.avi",1000,/);
    const vics = hashesVics(rows, { version: '0.1.0', caseId: 'c' }) as { value: [{ Media: { MD5: string; SHA1: string; MediaSize: number; Category: number; MediaFiles: { FileName: string }[] }[] }] };
    const media = vics.value[0].Media;
    assert.equal(media.length, 2);
    assert.equal(media[0]!.MD5, want(a.content, 'md5').toUpperCase());
    assert.equal(media[0]!.SHA1, want(a.content, 'sha1').toUpperCase());
    assert.equal(media[0]!.Category, 0);
    assert.deepEqual(media[1]!.MediaFiles, [{ FileName: 'garden, party-0007.avi' }]);
  });

  it('refuses content that does not match the recorded SHA-256', async () => {
    const a = testDecoy({ id: 1, size: 5000 });
    const wrong = testDecoy({ id: 1, size: 5000 }).source;
    await assert.rejects(hashDecoys([a.decoy], () => wrong), /differs from the recorded/);
  });

  it('stops at an aborted signal (SIGINT/SIGTERM) instead of running on', async () => {
    const a = testDecoy({ id: 1, size: 3_000_000 });
    const ac = new AbortController();
    ac.abort(new Error('interrupted'));
    await assert.rejects(hashDecoys([a.decoy], () => a.source, { signal: ac.signal }), /interrupted/);
  });

  it('hashes a folder decoy once: its whole content by SHA-256 alone (the record check), its files from the checkpoints', async () => {
    const mp4 = paddingLayout('mp4', new Uint8Array(readFileSync(defaultPayloadPath())));
    const txt = paddingLayout('txt', new TextEncoder().encode('warning text\n'));
    const nonce = (k: number) => new Uint8Array(32).fill(k);
    const parts = [{ layout: mp4, size: 24 * MiB + 5, nonce: nonce(1), path: ['holiday-video-0042.mp4'] }, { layout: txt, size: 24 * MiB + 7, nonce: nonce(2), path: ['holiday-notes-0043.txt'] }];
    const whole = new VirtualPieceSource(parts);
    const bytes = whole.read(0, whole.length);
    const digest = (b: Uint8Array, alg: string) => createHash(alg).update(b).digest('hex');
    const folder = { ...testDecoy({ id: 7, size: 1000, name: 'holiday-2026' }).decoy, size: whole.length, contentSha256: digest(bytes, 'sha256') };
    const files = parts.map(({ path, ...f }) => ({ path, source: new VirtualPieceSource([f]) }));
    // The checkpoints of both layouts exist already (the campaign's other decoys made them), as in a real list.
    const hasher = new ContentHasher();
    for (const layout of [mp4, txt]) await hasher.digests(new VirtualPieceSource([{ layout, size: 30 * MiB, nonce: nonce(9) }]));

    let hashed = 0;
    const update = crypto.Hash.prototype.update;
    mock.method(crypto.Hash.prototype, 'update', function (this: crypto.Hash, data: Uint8Array, ...rest: unknown[]) {
      hashed += data.length;
      return (update as (...a: unknown[]) => crypto.Hash).call(this, data, ...rest);
    });
    let rows;
    try {
      rows = await hashDecoys([folder], () => whole, { hasher, filesOf: () => files });
    } finally {
      mock.restoreAll();
    }
    let at = 0;
    const want = parts.map((p) => { const b = bytes.subarray(at, at += p.size); return { md5: digest(b, 'md5'), sha1: digest(b, 'sha1'), sha256: digest(b, 'sha256') }; });
    assert.deepEqual(rows.map((r) => [r.name, r.size, r.md5, r.sha1, r.sha256]), parts.map((p, i) => [`holiday-2026/${p.path[0]}`, p.size, want[i]!.md5, want[i]!.sha1, want[i]!.sha256]));
    // Once: the whole content by SHA-256, plus at most one 4 MiB checkpoint step and the tail per file and algorithm.
    // Hashing the whole content in all three algorithms as well (the old way) is 3 x 48 MiB.
    const bound = whole.length + parts.length * 3 * (4 * MiB + 64 * 1024);
    assert.ok(hashed <= bound, `${(hashed / MiB).toFixed(1)} MiB hashed for a ${(whole.length / MiB).toFixed(1)} MiB folder (bound ${(bound / MiB).toFixed(1)} MiB)`);
  });
});

