import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../../src/evidence/canonical-json.ts';
import { keyFingerprint as fingerprintOf } from '../../../src/evidence/keys.ts';
import { leafHashOfText, MerkleLevels } from '../../../src/evidence/merkle.ts';
import { verifyPackage } from '../../../verifier/verify.mjs';

/**
 * Record schema versions (issue 16, item 3): the verifier accepts "v":1 and "v":2 records (same
 * header; a v2 obs may carry more fields such as network and contentId) and nothing else. The
 * package is built by hand from the README's rules, so the test does not depend on the exporter.
 */
function packageOf(v: number, extra: Record<string, unknown>): string {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const node = fingerprintOf(publicKey);
  const texts: string[] = [];
  let prev = '0'.repeat(64);
  for (let seq = 0; seq < 3; seq++) {
    const obs = { at: 1_764_000_000_000 + seq, infoHash: 'ab'.repeat(20), remoteIp: '198.18.0.21', remotePort: 40_000 + seq, ...extra };
    const text = canonicalJson({ at: obs.at, kind: 'tracker-announce', node, obs, prev, seq, v });
    texts.push(text);
    prev = leafHashOfText(text).toString('hex');
  }
  const tree = new MerkleLevels(texts.map(leafHashOfText));
  const cpText = canonicalJson({ at: 1_764_000_100_000, head: prev, node, root: tree.root().toString('hex'), tree_size: 3, type: 'counterseed-checkpoint/v1' });
  const files: Record<string, string> = {
    'records.ndjson': texts.map((t) => `${t}\n`).join(''),
    'proofs.json': JSON.stringify({ tree_size: 3, root: tree.root().toString('hex'), proofs: texts.map((_, seq) => ({ seq, path: tree.inclusionProof(seq).map((h) => h.toString('hex')) })) }),
    'checkpoint.json': JSON.stringify({ text: cpText, signature: sign(null, Buffer.from(cpText), privateKey).toString('base64') }),
    'public-key.pem': publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    'deliveries.csv': 'seq,session_id,remote_ip,remote_port,local_ip,local_port,transport,encryption,start_utc,end_utc,decoy_id,decoy_name,info_hash,content_sha256,bytes_served,blocks_served,completed,metadata_only,client,client_version,listen_port,peer_id,disconnect_reason,record_hash\r\n',
    'decoys.json': '[]',
    'tool.json': JSON.stringify({ name: 'counterseed', version: 't', config: {}, config_sha256: createHash('sha256').update('{}').digest('hex') }),
  };
  const dir = mkdtempSync(join(tmpdir(), 'cs-v2-'));
  for (const [n, body] of Object.entries(files)) writeFileSync(join(dir, n), body);
  const manifest = canonicalJson({
    checkpoint: { root: tree.root().toString('hex'), tree_size: 3 }, created_at: 1, deliveries: 0,
    files: Object.fromEntries(Object.entries(files).map(([n, b]) => [n, createHash('sha256').update(b).digest('hex')])),
    node, records: [0, 1, 2], selection: { bench: 'versions' }, tool: { config_sha256: createHash('sha256').update('{}').digest('hex'), name: 'counterseed', version: 't' }, type: 'counterseed-export/v1',
  });
  writeFileSync(join(dir, 'manifest.json'), manifest);
  writeFileSync(join(dir, 'manifest.sig'), sign(null, Buffer.from(manifest), privateKey).toString('base64'));
  return dir;
}

describe('record schema versions', () => {
  it('v1 records verify', () => assert.deepEqual(verifyPackage(packageOf(1, {})).findings, []));
  it('v2 records with more obs fields verify', () => assert.deepEqual(verifyPackage(packageOf(2, { contentId: 'btih:' + 'ab'.repeat(20), network: 'bittorrent' })).findings, []));
  it('a v2 record must name its network and a well-formed content id, the BitTorrent one its infohash; a v1 record has none', () => {
    const cases: [number, Record<string, unknown>, RegExp][] = [
      [2, {}, /names no network/],
      [2, { network: 'BitTorrent', contentId: null }, /names no network/],
      [2, { network: 'bittorrent', contentId: 'btih:' + 'AB'.repeat(20) }, /malformed contentId/],
      [2, { network: 'bittorrent', contentId: 'btih:' + 'cd'.repeat(20) }, /is not the record's infohash/],
      [1, { contentId: 'btih:' + 'ab'.repeat(20) }, /a v1 record holds a contentId/],
    ];
    for (const [v, extra, re] of cases) {
      const r = verifyPackage(packageOf(v, extra));
      assert.ok(r.findings.some((f) => f.code === 'record-invalid' && re.test(f.message)), `${v} ${JSON.stringify(extra)}: ${JSON.stringify(r.findings)}`);
    }
    assert.deepEqual(verifyPackage(packageOf(2, { network: 'ed2k', contentId: null })).findings, [], 'another network, no content');
  });

  it('other versions are refused', () => {
    for (const v of [0, 3]) {
      const r = verifyPackage(packageOf(v, {}));
      assert.ok(r.findings.some((f) => f.code === 'record-invalid' && /not a v1 or v2 record/.test(f.message)), `v ${v}: ${JSON.stringify(r.findings)}`);
    }
  });
});
