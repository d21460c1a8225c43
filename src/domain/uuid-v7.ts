import { randomFillSync } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562 section 5.7): 48-bit UTC ms timestamp, then 74 random bits. Session
 * ids sort by creation time, so their UNIQUE index grows at its end instead of at random pages
 * (bench/chain.bench.ts: about 3 µs less per delivery row than a random v4 id).
 */
export function uuidV7(now: number = Date.now()): string {
  if (!Number.isSafeInteger(now) || now < 0 || now >= 2 ** 48) throw new RangeError(`uuidV7: bad timestamp ${now}`);
  const b = randomFillSync(Buffer.alloc(16));
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
