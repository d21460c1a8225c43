import { randomBytes } from 'node:crypto';
import type { PeerIdStyle } from '../../domain/presentation.ts';

/** libtorrent's url_random alphabet (aux::url_random): the characters after its BEP 20 prefix. */
const LIBTORRENT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*()';
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Our own 20-byte peer id (BEP 20): the 8-byte prefix, then 12 characters drawn as the client we
 * present draws them, so the id does not stand out from that client's (issue 10 item 3):
 * - libtorrent (qBittorrent): 12 characters from its url_random alphabet;
 * - Transmission: 11 base-36 characters and a 12th that makes their sum a multiple of 36
 *   (tr_peerIdInit).
 * `random` is for tests; a node draws from the CSPRNG.
 */
export function makeOwnPeerId(prefix: string, style: PeerIdStyle, random: (n: number) => Uint8Array = (n) => randomBytes(n)): Uint8Array {
  const head = Buffer.from(prefix, 'latin1');
  if (head.length !== 8) throw new RangeError(`peer id prefix must be 8 bytes, got ${head.length}`);
  const r = random(12);
  let tail = '';
  if (style === 'libtorrent') {
    for (let i = 0; i < 12; i++) tail += LIBTORRENT_CHARS[r[i]! % LIBTORRENT_CHARS.length];
  } else {
    let total = 0;
    for (let i = 0; i < 11; i++) { const v = r[i]! % 36; total += v; tail += BASE36[v]; }
    tail += BASE36[total % 36 === 0 ? 0 : 36 - (total % 36)];
  }
  return new Uint8Array(Buffer.concat([head, Buffer.from(tail, 'latin1')]));
}
