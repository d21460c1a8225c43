import assert from 'node:assert/strict';
import { it } from 'node:test';
import { base32Decode, base32Encode, hotp, matchTotpStep, totp, verifyTotp } from '../../../src/app/totp.ts';

// RFC 4226 Appendix D: secret "12345678901234567890", counters 0-9.
it('HOTP matches RFC 4226 Appendix D', () => {
  const key = Buffer.from('12345678901234567890');
  const want = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  assert.deepEqual(want.map((_, i) => hotp(key, i)), want);
});

// RFC 6238 Appendix B: 8 digits, per-algorithm seeds of 20, 32 and 64 bytes.
it('TOTP matches RFC 6238 Appendix B for SHA-1, SHA-256 and SHA-512', () => {
  const seeds = { sha1: '12345678901234567890', sha256: '12345678901234567890123456789012', sha512: '1234567890123456789012345678901234567890123456789012345678901234' } as const;
  const vectors: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  for (const [t, s1, s256, s512] of vectors) {
    assert.equal(totp(Buffer.from(seeds.sha1), t * 1000, 8, 'sha1'), s1, `sha1 t=${t}`);
    assert.equal(totp(Buffer.from(seeds.sha256), t * 1000, 8, 'sha256'), s256, `sha256 t=${t}`);
    assert.equal(totp(Buffer.from(seeds.sha512), t * 1000, 8, 'sha512'), s512, `sha512 t=${t}`);
  }
});

it('base32 round-trips (RFC 4648 §10 "foobar" -> MZXW6YTBOI) and codes are checked within one step of drift', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.equal(base32Decode('MZXW6YTBOI').toString(), 'foobar');
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  const now = 1_111_111_111_000;
  const code = totp(Buffer.from('12345678901234567890'), now);
  assert.equal(verifyTotp(secret, code, now), true);
  assert.equal(verifyTotp(secret, code, now + 30_000), true, 'one step late');
  assert.equal(verifyTotp(secret, code, now + 90_000), false, 'three steps late');
  assert.equal(verifyTotp(secret, 'abcdef', now), false);
});

it('matchTotpStep names the step a code belongs to within the window (what the replay check compares), null outside it', () => {
  const key = Buffer.from('12345678901234567890');
  const secret = base32Encode(key);
  const now = 1_111_111_111_000, step = Math.floor(now / 30_000);
  for (const d of [-1, 0, 1]) assert.equal(matchTotpStep(secret, hotp(key, step + d), now), step + d, `step ${d}`);
  assert.equal(matchTotpStep(secret, hotp(key, step + 2), now), null, 'two steps ahead');
  assert.equal(matchTotpStep(secret, hotp(key, step - 2), now), null, 'two steps behind');
  assert.equal(matchTotpStep(secret, '12345', now), null, 'not six digits');
});
