import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashDecoys, hashesCsv, hashesVics } from '../../../src/exports/decoy-hashes.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

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
});
