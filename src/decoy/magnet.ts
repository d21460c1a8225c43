import { infoHashFromHex, infoHashToHex, type InfoHashHex } from '../domain/info-hash.ts';
import { MetainfoError } from './errors.ts';
import { nameProblem } from './name-rules.ts';
import { checkTrackers } from './trackers.ts';

export const MAX_MAGNET_PEERS = 32;

export interface MagnetParams {
  readonly infoHash: Uint8Array | InfoHashHex;
  /** Display name (dn). */
  readonly name: string;
  /** Exact length (xl). */
  readonly size?: number;
  /** Tracker URLs (tr), one parameter each. */
  readonly trackers?: readonly string[];
  /** Peer addresses (x.pe, BEP 9): host:port, a.b.c.d:port or [v6]:port. */
  readonly peers?: readonly string[];
}

// BEP 9: "hostname:port", "ipv4-literal:port" or "[ipv6-literal]:port".
const PEER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

/**
 * A v1 magnet link (BEP 9): xt=urn:btih:<40 hex>, then dn, xl, tr and x.pe. dn and tr
 * are percent-encoded (RFC 3986 §2.1), so names and URLs with `&`, `=`, `#`, spaces
 * or non-ASCII survive any client's query parser. x.pe is written raw: libtorrent
 * 2.0.8 does not percent-decode it (an encoded `%3A` makes it drop the peer), and
 * the PEER pattern already limits it to letters, digits, `.-:[]`.
 */
export function magnetLink(p: MagnetParams): string {
  const hex = typeof p.infoHash === 'string' ? infoHashToHex(infoHashFromHex(p.infoHash)) : infoHashToHex(p.infoHash);
  const problem = nameProblem(p.name);
  if (problem) throw new MetainfoError(`bad magnet name: ${problem}`);
  if (p.size !== undefined && (!Number.isSafeInteger(p.size) || p.size <= 0)) throw new MetainfoError(`magnet size must be a positive safe integer, got ${p.size}`);
  const peers = p.peers ?? [];
  if (peers.length > MAX_MAGNET_PEERS) throw new MetainfoError(`more than ${MAX_MAGNET_PEERS} peers in a magnet link`);
  for (const peer of peers) {
    const m = PEER.exec(peer);
    const port = m ? Number(m[1]) : 0;
    if (port < 1 || port > 65535) throw new MetainfoError(`magnet peer must be host:port with a port 1-65535: ${peer}`);
  }
  const parts = [`xt=urn:btih:${hex}`, `dn=${encodeURIComponent(p.name)}`];
  if (p.size !== undefined) parts.push(`xl=${p.size}`);
  for (const tr of checkTrackers(p.trackers ?? [])) parts.push(`tr=${encodeURIComponent(tr)}`);
  for (const peer of peers) parts.push(`x.pe=${peer}`);
  return `magnet:?${parts.join('&')}`;
}
