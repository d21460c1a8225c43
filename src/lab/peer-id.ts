import { randomBytes } from 'node:crypto';
import { LabConfigError } from './errors.ts';

/** Lab downloaders identify as this client unless told otherwise (BEP 20 Azureus style). */
export const LAB_PEER_ID_PREFIX = '-LB0001-';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** BEP 20: a client prefix, then random printable bytes up to 20. */
export function makePeerId(prefix: string = LAB_PEER_ID_PREFIX): Uint8Array {
  if (!/^[\x20-\x7e]{0,20}$/.test(prefix)) throw new LabConfigError(`peer id prefix must be at most 20 printable ASCII chars: ${JSON.stringify(prefix)}`);
  const out = new Uint8Array(20);
  out.set(Buffer.from(prefix, 'latin1'));
  const rnd = randomBytes(20 - prefix.length);
  for (let i = 0; i < rnd.length; i++) out[prefix.length + i] = ALNUM.charCodeAt((rnd[i] as number) % ALNUM.length);
  return out;
}
