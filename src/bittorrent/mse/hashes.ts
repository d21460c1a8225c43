import { createHash } from 'node:crypto';
import { HASH_BYTES } from './constants.ts';

const enc = new TextEncoder();
const REQ1 = enc.encode('req1');
const REQ2 = enc.encode('req2');
const REQ3 = enc.encode('req3');
const KEY_A = enc.encode('keyA');
const KEY_B = enc.encode('keyB');

/** Spec: "HASH() is SHA1 binary output (20 bytes)" over the concatenation of its arguments. */
function sha1(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** HASH('req1', S): the responder's sync marker in step 3. */
export function req1Hash(s: Uint8Array): Uint8Array {
  return sha1(REQ1, s);
}

/**
 * HASH('req2', SKEY), where SKEY is the torrent's infohash (spec: "SKEY = Stream Identifier/Shared
 * secret used to drop connections early ... the infohash"). Seeders precompute it per torrent.
 */
export function req2Hash(infoHash: Uint8Array): Uint8Array {
  return sha1(REQ2, infoHash);
}

/** HASH('req3', S), XORed onto HASH('req2', SKEY) so the infohash is not visible on the wire. */
export function req3Hash(s: Uint8Array): Uint8Array {
  return sha1(REQ3, s);
}

/** RC4 key for the initiator-to-responder direction: HASH('keyA', S, SKEY). */
export function keyA(s: Uint8Array, skey: Uint8Array): Uint8Array {
  return sha1(KEY_A, s, skey);
}

/** RC4 key for the responder-to-initiator direction: HASH('keyB', S, SKEY). */
export function keyB(s: Uint8Array, skey: Uint8Array): Uint8Array {
  return sha1(KEY_B, s, skey);
}

/** a XOR b for two 20-byte hashes. */
export function xor20(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== HASH_BYTES || b.length !== HASH_BYTES) throw new RangeError('xor20 needs two 20-byte values');
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
