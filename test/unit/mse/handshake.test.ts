import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { MseResponder, MSE_MAX_BUFFERED } from '../../../src/bittorrent/mse/responder.ts';
import { buildReq2Resolver } from '../../../src/bittorrent/mse/req2-index.ts';
import { MAX_IA_BYTES } from '../../../src/bittorrent/mse/constants.ts';
import { MseInitiator, fromBytes, modPow } from '../../helpers/mse-initiator.ts';
import { pump, type Chunking } from './pump.ts';

const ih = (name: string): Uint8Array => new Uint8Array(createHash('sha1').update(name).digest());
const INFO = ih('holiday-video-0042.mp4');
const resolveReq2 = buildReq2Resolver([INFO, ih('holiday-video-0043.mp4')]);
/** A stand-in for the 68-byte BitTorrent handshake carried as IA. */
const IA = new Uint8Array([19, ...Buffer.from('BitTorrent protocol'), ...new Uint8Array(8), ...INFO, ...randomBytes(20)]);

function roundTrip(out: ReturnType<typeof pump>, expectCipher: boolean): void {
  for (let k = 0; k < 5; k++) {
    const down = randomBytes(1 + randomInt(0, 3000));
    const wireDown = out.responder.encrypt(down);
    assert.equal(Buffer.from(wireDown).equals(down), !expectCipher, 'responder->initiator wire bytes');
    assert.deepEqual(Buffer.from(out.initiator.decrypt(wireDown)), down);
    const up = randomBytes(1 + randomInt(0, 3000));
    const wireUp = out.initiator.encrypt(up);
    assert.equal(Buffer.from(wireUp).equals(up), !expectCipher, 'initiator->responder wire bytes');
    assert.deepEqual(Buffer.from(out.responder.decrypt(wireUp)), up);
  }
}

for (const how of ['whole', 'random', 'bytes'] as Chunking[]) {
  test(`RC4 handshake with random pads, IA present, chunking=${how}`, () => {
    for (let run = 0; run < (how === 'bytes' ? 4 : 15); run++) {
      const init = new MseInitiator({
        infoHash: INFO, cryptoProvide: run % 2 === 0 ? 0x02 : 0x03,
        padALength: randomInt(0, 513), padCLength: randomInt(0, 513), initialPayload: IA,
      });
      const out = pump(init, new MseResponder({ resolveReq2 }), how);
      assert.deepEqual(out.responder.infoHash, INFO);
      assert.equal(out.responder.method, 'rc4');
      assert.equal(out.initiator.method, 'rc4');
      assert.deepEqual(out.responder.initial, IA);
      assert.equal(out.initiator.initial.length, 0);
      assert.ok(out.maxBuffered <= MSE_MAX_BUFFERED);
      roundTrip(out, true);
    }
  });
}

test('PadD as the presented client sends it: random 0..512 (libtorrent), always 0 (Transmission 3.00), both captured (issue 10 item 3)', () => {
  const lengths = (padD?: 'random' | 'none') => Array.from({ length: 12 }, () => {
    const init = new MseInitiator({ infoHash: INFO, cryptoProvide: 0x02 });
    const out = pump(init, new MseResponder({ resolveReq2, ...(padD ? { padD } : {}) }), 'whole');
    roundTrip(out, true);
    return init.padDLength;
  });
  assert.deepEqual(lengths('none'), new Array(12).fill(0));
  const random = lengths();
  assert.ok(random.every((n) => n >= 0 && n <= 512) && new Set(random).size > 1, `random PadD lengths: ${random.join(' ')}`);
});

test('RC4 handshake without IA gives an empty initial', () => {
  const out = pump(new MseInitiator({ infoHash: INFO, cryptoProvide: 0x02 }), new MseResponder({ resolveReq2 }), 'random');
  assert.equal(out.responder.initial.length, 0);
  roundTrip(out, true);
});

for (const how of ['whole', 'bytes'] as Chunking[]) {
  test(`bytes pipelined after IA are decrypted into initial with the continued stream (${how})`, () => {
    const after = randomBytes(777);
    const init = new MseInitiator({ infoHash: INFO, cryptoProvide: 0x02, padCLength: 33, initialPayload: IA, afterIa: after });
    const out = pump(init, new MseResponder({ resolveReq2 }), how);
    const seen = Buffer.concat([out.responder.initial, out.responderLate]);
    assert.deepEqual(seen, Buffer.concat([IA, after]));
    if (how === 'whole') assert.equal(out.responder.initial.length, IA.length + after.length);
    roundTrip(out, true);
  });
}

for (const how of ['whole', 'bytes'] as Chunking[]) {
  test(`plaintext handshake when allowed and only plaintext is offered (${how})`, () => {
    const after = randomBytes(100);
    const init = new MseInitiator({ infoHash: INFO, cryptoProvide: 0x01, padALength: 200, initialPayload: IA, afterIa: after });
    const out = pump(init, new MseResponder({ resolveReq2, allowPlaintext: true }), how);
    assert.equal(out.responder.method, 'plaintext');
    assert.equal(out.initiator.method, 'plaintext');
    assert.deepEqual(Buffer.concat([out.responder.initial, out.responderLate]), Buffer.concat([IA, after]));
    roundTrip(out, false);
  });
}

test('RC4 is selected whenever it is offered, even if plaintext is allowed', () => {
  const init = new MseInitiator({ infoHash: INFO, cryptoProvide: 0x03, initialPayload: IA });
  const out = pump(init, new MseResponder({ resolveReq2, allowPlaintext: true }), 'whole');
  assert.equal(out.responder.method, 'rc4');
  assert.equal(out.initiator.method, 'rc4');
});

test('Yb + PadB are sent as soon as Ya is complete, once, and Yb is 2^Xb mod P', () => {
  const xb = randomBytes(20);
  const resp = new MseResponder({ resolveReq2, privateKey: xb });
  const init = new MseInitiator({ infoHash: INFO, cryptoProvide: 0x02, padALength: 0 });
  const ya = init.start();
  assert.equal(resp.push(ya.subarray(0, 95)).send.length, 0);
  assert.equal(resp.buffered, 95);
  const step = resp.push(ya.subarray(95));
  assert.equal(step.send.length, 1);
  const msg = step.send[0]!;
  assert.ok(msg.length >= 96 && msg.length <= 96 + 512, `Yb+PadB length ${msg.length}`);
  const P = BigInt('0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563');
  assert.equal(fromBytes(msg.subarray(0, 96)), modPow(2n, fromBytes(xb), P));
  const rest = init.push(msg);
  assert.equal(rest.send.length, 1);
  const fin = resp.push(rest.send[0]!);
  assert.equal(fin.send.length, 1, 'only step 4 is sent after sync');
  assert.ok(fin.result);
  assert.equal(resp.buffered, 0);
});

test('boundaries are accepted: PadA = 512, PadC = 512, IA = MAX_IA_BYTES', () => {
  const big = randomBytes(MAX_IA_BYTES);
  const init = new MseInitiator({ infoHash: INFO, cryptoProvide: 0x02, padALength: 512, padCLength: 512, initialPayload: big });
  const out = pump(init, new MseResponder({ resolveReq2 }), 'random');
  assert.deepEqual(Buffer.from(out.responder.initial), big);
  assert.ok(out.maxBuffered <= MSE_MAX_BUFFERED);
});
