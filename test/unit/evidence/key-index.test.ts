import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACC_ZERO, accStep, indexLeafText, ipKey, keysOf } from '../../../src/evidence/key-index.ts';
import { leafHash } from '../../../src/evidence/merkle.ts';
import { accumulate, ipKey as verifierIpKey } from '../../../verifier/verify.mjs';

describe('key index encodings (the node and the standalone verifier agree)', () => {
  it('one key per address, however it is spelled', () => {
    const cases: [string, string | undefined][] = [
      ['198.18.0.11', 'ip:198.18.0.11'], ['2001:DB8:0:0:0:0:0:1', 'ip:2001:db8::1'], ['2001:db8::1', 'ip:2001:db8::1'],
      ['::ffff:198.18.0.11', 'ip:198.18.0.11'], ['::FFFF:C612:B', 'ip:198.18.0.11'], ['::1', 'ip:::1'], ['FE80::1%eth0', 'ip:fe80::1%eth0'], ['not-an-ip', undefined],
    ];
    for (const [ip, key] of cases) {
      assert.equal(ipKey(ip), key, ip);
      assert.equal(verifierIpKey(ip), key ?? null, `verifier: ${ip}`);
    }
  });

  it('a record is filed under its table\'s ip and decoy fields', () => {
    assert.deepEqual(keysOf({ remoteIp: '198.18.0.11', decoyId: 7 }, { ipField: 'remoteIp', decoyField: 'decoyId' }), ['ip:198.18.0.11', 'decoy:7']);
    assert.deepEqual(keysOf({ remoteIp: '198.18.0.0/24', decoyId: 7 }, { ipField: 'remoteIp' }), [], 'not an address, no decoy field');
  });

  it('the accumulator and leaf text are the ones the verifier recomputes', () => {
    const h = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))];
    let acc = ACC_ZERO;
    acc = accStep(acc, 3, 1_764_000_000_000, h[0]!);
    acc = accStep(acc, 9, 1_764_000_005_000, h[1]!);
    assert.ok(acc.equals(accumulate([[3, 1_764_000_000_000, h[0]!], [9, 1_764_000_005_000, h[1]!]])));
    assert.ok(!acc.equals(accumulate([[3, 1_764_000_000_001, h[0]!], [9, 1_764_000_005_000, h[1]!]])), 'the time is committed');
    assert.equal(indexLeafText({ key: 'ip:198.18.0.11', count: 2, acc }), `{"acc":"${acc.toString('hex')}","count":2,"key":"ip:198.18.0.11"}`);
  });
});
