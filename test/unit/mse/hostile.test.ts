import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { MseError, MseResponder, MSE_MAX_BUFFERED } from '../../../src/bittorrent/mse/responder.ts';
import { buildReq2Resolver } from '../../../src/bittorrent/mse/req2-index.ts';
import { MAX_IA_BYTES, MAX_REQ1_SYNC_BYTES } from '../../../src/bittorrent/mse/constants.ts';
import { MseInitiator, type MseInitiatorOptions } from '../../helpers/mse-initiator.ts';
import { pump, type Chunking } from './pump.ts';

const ih = (name: string): Uint8Array => new Uint8Array(createHash('sha1').update(name).digest());
const INFO = ih('holiday-video-0042.mp4');
const resolveReq2 = buildReq2Resolver([INFO]);

const isMse = (reason: string) => (e: unknown): boolean => {
  assert.ok(e instanceof MseError, `expected MseError, got ${String(e)}`);
  assert.equal(e.reason, reason);
  return true;
};

/** Random bytes that form a valid DH public value (first byte < 0xff keeps it below P). */
function garbage(n: number): Uint8Array {
  const b = randomBytes(n);
  b[0] = 0x42;
  return new Uint8Array(b);
}

test('garbage fails with no-sync exactly when 628 bytes have arrived, never buffering more', () => {
  for (let run = 0; run < 5; run++) {
    const resp = new MseResponder({ resolveReq2 });
    const g = garbage(2000);
    let failedAt = -1;
    for (let i = 0; i < g.length; i++) {
      try {
        resp.push(g.subarray(i, i + 1));
      } catch (e) {
        isMse('mse:no-sync')(e);
        failedAt = i + 1;
        break;
      }
      assert.ok(resp.buffered < MAX_REQ1_SYNC_BYTES, `buffered ${resp.buffered} after ${i + 1} bytes`);
    }
    assert.equal(failedAt, MAX_REQ1_SYNC_BYTES);
  }
});

test('a large garbage chunk fails at once with no-sync', () => {
  const resp = new MseResponder({ resolveReq2 });
  assert.throws(() => resp.push(garbage(1 << 20)), isMse('mse:no-sync'));
  assert.equal(resp.buffered, 0);
});

test('PadA of 513 pushes req1 past the sync window', () => {
  // The initiator helper accepts any PadA length, so this is a handshake that is valid except for PadA.
  const init = new MseInitiator({ infoHash: INFO, cryptoProvide: 0x02, padALength: 513 });
  assert.throws(() => pump(init, new MseResponder({ resolveReq2 }), 'whole'), isMse('mse:no-sync'));
});

test('an invalid DH key (all zero) is rejected before anything is sent', () => {
  const resp = new MseResponder({ resolveReq2 });
  assert.throws(() => resp.push(new Uint8Array(96)), isMse('mse:bad-dh-key'));
});

const cases: [string, Partial<MseInitiatorOptions>, string, boolean?][] = [
  ['unknown infohash', { infoHash: ih('holiday-video-9999.mp4') }, 'mse:unknown-infohash'],
  ['wrong VC', { vc: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]) }, 'mse:bad-vc'],
  ['crypto_provide 0', { cryptoProvide: 0 }, 'mse:no-common-method'],
  ['crypto_provide with only unknown bits', { cryptoProvide: 0xfc }, 'mse:no-common-method'],
  ['plaintext only, not allowed', { cryptoProvide: 0x01 }, 'mse:no-common-method'],
  ['PadC too long', { padCLength: 513 }, 'mse:pad-too-long'],
  ['IA too long', { initialPayload: new Uint8Array(MAX_IA_BYTES + 1) }, 'mse:ia-too-long'],
];

for (const how of ['whole', 'bytes'] as Chunking[]) {
  for (const [name, over, reason] of cases) {
    test(`${name} -> ${reason} (${how})`, () => {
      const init = new MseInitiator({ infoHash: INFO, cryptoProvide: 0x02, initialPayload: new Uint8Array(68), ...over });
      const resp = new MseResponder({ resolveReq2 });
      assert.throws(() => pump(init, resp, how), isMse(reason));
      assert.ok(resp.buffered <= MSE_MAX_BUFFERED);
      // A failed responder stays failed.
      assert.throws(() => resp.push(new Uint8Array(1)), isMse(reason));
    });
  }
}

test('push after completion is refused; the stream belongs to MseResult', () => {
  const resp = new MseResponder({ resolveReq2 });
  pump(new MseInitiator({ infoHash: INFO, cryptoProvide: 0x02 }), resp, 'whole');
  assert.throws(() => resp.push(new Uint8Array(1)), isMse('mse:already-complete'));
});

test('buffered stays bounded while a maximal handshake trickles in byte by byte', () => {
  const init = new MseInitiator({
    infoHash: INFO, cryptoProvide: 0x02, padALength: 512, padCLength: 512, initialPayload: randomBytes(MAX_IA_BYTES),
  });
  const out = pump(init, new MseResponder({ resolveReq2 }), 'bytes');
  assert.equal(out.maxBuffered, MAX_IA_BYTES - 1, 'the IA stage holds at most len(IA) - 1 bytes');
  assert.ok(out.maxBuffered <= MSE_MAX_BUFFERED);
});
