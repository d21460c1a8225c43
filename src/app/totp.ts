import { createHmac, randomBytes } from 'node:crypto';

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226): HMAC-SHA-1, 30-second steps, 6 digits, the defaults every
 * authenticator app uses. Secrets are exchanged in base32 (RFC 4648 §6) as otpauth:// URIs.
 */
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(b: Uint8Array): string {
  let bits = 0, value = 0, out = '';
  for (const byte of b) {
    value = (value << 8) | byte; bits += 8;
    while (bits >= 5) { out += B32[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(s: string): Buffer {
  const clean = s.replace(/[=\s]/g, '').toUpperCase();
  let bits = 0, value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = B32.indexOf(ch);
    if (i < 0) throw new RangeError('not base32');
    value = (value << 5) | i; bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

/** RFC 4226 §5.3: dynamic truncation of HMAC(key, counter). */
export function hotp(key: Uint8Array, counter: number, digits = 6, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(bin).padStart(digits, '0');
}

/** RFC 6238 §4: T = floor((now - T0) / X), T0 = 0, X = 30 s. */
export function totp(key: Uint8Array, atMs: number, digits = 6, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  return hotp(key, totpStepAt(atMs), digits, algorithm);
}

/** The RFC 6238 time step (counter) at `atMs`. */
export const totpStepAt = (atMs: number): number => Math.floor(atMs / 1000 / 30);

/**
 * The time step whose code `code` is, among the current step and one step either side (RFC 6238 §5.2:
 * clock drift), or null when it is none of them. Should two steps in the window share the code (one in
 * a million), the latest: login accepts a step only once and only after the last one used (ASVS 2.8.4),
 * so the latest is the one a replay check must compare.
 */
export function matchTotpStep(secretBase32: string, code: string, atMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const key = base32Decode(secretBase32);
  const now = totpStepAt(atMs);
  for (const step of [now + 1, now, now - 1]) if (hotp(key, step) === code) return step;
  return null;
}

/** Whether `code` is the code of the current step or one step either side (no replay check: see matchTotpStep). */
export const verifyTotp = (secretBase32: string, code: string, atMs: number): boolean => matchTotpStep(secretBase32, code, atMs) !== null;

export const newTotpSecret = (): string => base32Encode(randomBytes(20));

export const otpauthUri = (issuer: string, user: string, secret: string): string =>
  `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(user)}?secret=${secret}&issuer=${encodeURIComponent(issuer)}`;
