import type { HandshakeStyle } from '../../../domain/presentation.ts';
import type { AnnounceRequest } from '../codec/types.ts';

/** How a client we present announces over HTTP (issue 10 item 3): its query, its headers. */
export interface PresentedAnnounce {
  readonly style: HandshakeStyle;
  /** The User-Agent the client sends: qBittorrent's user agent, or "Transmission/3.00". */
  readonly userAgent: string;
}

/** numwant of a started or regular announce: libtorrent's settings_pack default, Transmission's NUMWANT. */
export const PRESENTED_NUMWANT: Readonly<Record<HandshakeStyle, number>> = { libtorrent: 200, transmission: 80 };

const HEX = '0123456789abcdef';
/** libtorrent's escape_string leaves these unescaped besides letters and digits; Transmission's tr_http_escape these. */
const UNRESERVED: Readonly<Record<HandshakeStyle, string>> = { libtorrent: '-_!.~*()', transmission: '-_.~' };

function escape(b: Uint8Array, style: HandshakeStyle): string {
  let s = '';
  for (const c of b) {
    const ch = String.fromCharCode(c);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    // Both write lower-case hex digits.
    s += alnum || UNRESERVED[style].includes(ch) ? ch : `%${HEX[c >> 4]}${HEX[c & 15]}`;
  }
  return s;
}

/**
 * The announce URL as the presented client writes it, parameter for parameter (captured on
 * loopback against a logging tracker, 2026-12-06):
 * - libtorrent 2.0.8 (user agent qBittorrent/5.0.3):
 *   info_hash, peer_id, port, uploaded, downloaded, left, corrupt=0, key=%08X, [event], numwant=200
 *   (0 with stopped), compact=1, no_peer_id=1, supportcrypto=1, redundant=0
 * - Transmission 3.00: info_hash, peer_id, port, uploaded, downloaded, left, numwant=80 (0 with
 *   stopped), key=%x, compact=1, supportcrypto=1, [event]
 * and both append `trackerid` when the tracker gave one.
 */
export function presentedAnnounceUrl(base: string, req: AnnounceRequest, style: HandshakeStyle): string {
  const hash = base.indexOf('#');
  const b = hash < 0 ? base : base.slice(0, hash);
  const key = parseInt(req.key ?? '0', 16) >>> 0;
  const numwant = req.event === 'stopped' ? 0 : PRESENTED_NUMWANT[style];
  const n = (x: number) => String(Math.max(0, Math.trunc(x)));
  const head = [`info_hash=${escape(req.infoHash, style)}`, `peer_id=${escape(req.peerId, style)}`, `port=${n(req.port)}`, `uploaded=${n(req.uploaded)}`, `downloaded=${n(req.downloaded)}`, `left=${n(req.left)}`];
  const event = req.event === 'none' ? [] : [`event=${req.event}`];
  const q = style === 'libtorrent'
    ? [...head, 'corrupt=0', `key=${key.toString(16).toUpperCase().padStart(8, '0')}`, ...event, `numwant=${numwant}`, 'compact=1', 'no_peer_id=1', 'supportcrypto=1', 'redundant=0']
    : [...head, `numwant=${numwant}`, `key=${key.toString(16)}`, 'compact=1', 'supportcrypto=1', ...event];
  if (req.trackerId !== undefined) q.push(`trackerid=${escape(new TextEncoder().encode(req.trackerId), style)}`);
  const sep = !b.includes('?') ? '?' : b.endsWith('?') || b.endsWith('&') ? '' : '&';
  return `${b}${sep}${q.join('&')}`;
}

/**
 * Request headers in the client's order (Host first, as both send it). libtorrent: User-Agent,
 * Accept-Encoding gzip, Connection close. Transmission 3.00 through libcurl: User-Agent,
 * Accept (any type), Accept-Encoding as Debian 12's libcurl lists it. Node adds a Connection header the
 * Transmission request lacks: the one difference left.
 */
export function presentedHeaders(p: PresentedAnnounce, host: string): [string, string][] {
  return p.style === 'libtorrent'
    ? [['Host', host], ['User-Agent', p.userAgent], ['Accept-Encoding', 'gzip'], ['Connection', 'close']]
    : [['Host', host], ['User-Agent', p.userAgent], ['Accept', '*/*'], ['Accept-Encoding', 'deflate, gzip, br, zstd']];
}
