import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A name-based UUID version 5 (RFC 9562 section 5.5): SHA-1 of the namespace's 16 bytes and the
 * name's UTF-8, cut to 128 bits with the version and variant bits set. The same namespace and name
 * give the same UUID on every machine, which is what makes the CASE/UCO node IRIs of an export
 * stable across re-exports (UCO's IRI advisory accepts UUID versions 0-5, so not v7).
 */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID.test(namespace)) throw new RangeError(`uuidV5: bad namespace ${namespace}`);
  const b = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  b[6] = 0x50 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** RFC 9562 section 6.6: the namespace for names that are URLs. */
export const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
