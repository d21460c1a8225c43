import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import { createDhKeyPair, isValidPublicKey } from '../../../src/bittorrent/mse/dh.ts';
import { MSE_PRIME_HEX } from '../../../src/bittorrent/mse/constants.ts';
import { MseError } from '../../../src/bittorrent/mse/errors.ts';
import { fromBytes, modPow, toBytes96 } from '../../helpers/mse-initiator.ts';

const P = BigInt('0x' + MSE_PRIME_HEX);

test('the MSE prime is 768 bits and differs from Oakley group 1 (a common mix-up)', () => {
  assert.equal(P.toString(2).length, 768);
  assert.ok(MSE_PRIME_HEX.toLowerCase().endsWith('a63a36210000000000090563'));
  assert.notEqual(getDiffieHellman('modp1').getPrime('hex'), MSE_PRIME_HEX.toLowerCase());
});

test('public key is 2^x mod P, 96 bytes, as computed with BigInt', () => {
  const x = new Uint8Array(20).map((_, i) => i + 1);
  const kp = createDhKeyPair(x);
  assert.equal(kp.publicKey.length, 96);
  assert.equal(fromBytes(kp.publicKey), modPow(2n, fromBytes(x), P));
});

test('both sides derive the same 96-byte secret, left-padded when it is short', () => {
  const xb = new Uint8Array(20).fill(0x5a);
  const kp = createDhKeyPair(xb);
  for (let k = 1; k <= 40; k++) {
    const xa = BigInt(k) * 0x1234567n + 3n;
    const ya = toBytes96(modPow(2n, xa, P));
    const s = kp.computeSecret(ya);
    assert.equal(s.length, 96);
    assert.equal(fromBytes(s), modPow(fromBytes(kp.publicKey), xa, P));
  }
});

test('degenerate public values are rejected', () => {
  const kp = createDhKeyPair();
  for (const y of [0n, 1n, P - 1n, P, P + 5n]) {
    const b = y < 2n ** 768n ? toBytes96(y) : new Uint8Array(96).fill(0xff);
    assert.equal(isValidPublicKey(b), false, `y=${y}`);
    assert.throws(() => kp.computeSecret(b), (e: unknown) => e instanceof MseError && e.reason === 'mse:bad-dh-key');
  }
  assert.equal(isValidPublicKey(new Uint8Array(95).fill(3)), false);
  assert.equal(isValidPublicKey(toBytes96(2n)), true);
});
