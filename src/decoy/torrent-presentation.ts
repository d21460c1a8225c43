import { createHmac } from 'node:crypto';
import type { TorrentPresentation } from '../domain/presentation.ts';

/**
 * The fields of an exported .torrent outside its info dictionary, as the deployment presents them
 * (issue 10 item 3): the profile's `created by` (or none), its `encoding`, and a `creation date`
 * by policy. `spread` puts each decoy at its own second up to `spreadDays` before its build, drawn
 * from the deployment's choice key and the infohash, so thousands of decoys built in one run do
 * not share one creation second, and a re-export writes the same bytes.
 */
export function presentedTorrentFields(t: TorrentPresentation, choiceKey: Uint8Array, d: { readonly infoHash: string; readonly createdAt: number }): { createdBy?: string; creationDate?: number; encoding?: string } {
  return {
    ...(t.createdBy !== null ? { createdBy: t.createdBy } : {}),
    ...(t.encodingKey ? { encoding: 'UTF-8' } : {}),
    ...(t.creationDate === 'omit' ? {} : { creationDate: t.creationDate === 'build' ? d.createdAt : spreadDate(choiceKey, d.infoHash, d.createdAt, t.spreadDays) }),
  };
}

function spreadDate(key: Uint8Array, infoHash: string, builtAt: number, days: number): number {
  if (days === 0) return builtAt;
  const h = createHmac('sha256', key).update(`creation-date/${infoHash}`).digest();
  const offsetS = Number(h.readBigUInt64BE(0) % BigInt(days * 86_400));
  return Math.max(0, builtAt - offsetS * 1000 - (builtAt % 1000));
}
