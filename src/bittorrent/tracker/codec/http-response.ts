/**
 * Bencoded HTTP tracker responses: BEP 3 (dictionary peers), BEP 23
 * (compact `peers`), BEP 7 (`peers6`), BEP 48 (scrape `files`).
 */
import { type BDict, type BValue, BencodeError, asDict, decode, encode, getBytes, getDict, getInt, getString } from '../../../bencode/index.ts';
import { infoHashToHex, type InfoHashHex } from '../../../domain/info-hash.ts';
import { bencodeKeyBytes } from './bencode-key.ts';
import { DEFAULT_MAX_COMPACT_PEERS, decodeCompactPeers, encodeCompactPeers } from './compact.ts';
import { TrackerCodecError } from './errors.ts';
import type { AnnounceResponse, PeerAddress, ScrapeStats } from './types.ts';

/** Failure reasons and warnings are short human text; longer ones are cut. */
export const MAX_REASON_LEN = 512;

export interface AnnouncePeer extends PeerAddress {
  /** Raw 20-byte peer id; only the dictionary form (no `compact`) carries it. */
  readonly peerId?: Uint8Array;
}

export interface EncodeAnnounceResponseInit {
  readonly interval: number;
  readonly minInterval?: number;
  readonly complete: number;
  readonly incomplete: number;
  readonly peers: readonly AnnouncePeer[];
  readonly compact: boolean;
  readonly warning?: string;
}

export type DecodedAnnounce =
  | { readonly ok: true; readonly response: AnnounceResponse }
  | { readonly ok: false; readonly failure: string };

function clip(s: string): string {
  return s.length > MAX_REASON_LEN ? s.slice(0, MAX_REASON_LEN) : s;
}

export function encodeAnnounceResponse(r: EncodeAnnounceResponseInit): Uint8Array {
  const d: Record<string, BValue | string | undefined> = {
    interval: r.interval,
    'min interval': r.minInterval,
    complete: r.complete,
    incomplete: r.incomplete,
    'warning message': r.warning === undefined ? undefined : clip(r.warning),
  };
  if (r.compact) {
    d.peers = encodeCompactPeers(r.peers, 4);
    const v6 = encodeCompactPeers(r.peers, 6);
    if (v6.length > 0) d.peers6 = v6;
  } else {
    d.peers = r.peers.map((p): BDict => {
      const m: BDict = new Map<string, BValue>([['ip', Buffer.from(p.ip, 'latin1')], ['port', p.port]]);
      if (p.peerId !== undefined) m.set('peer id', p.peerId);
      return m;
    });
  }
  return encode(d as Record<string, BValue>);
}

export function encodeFailure(reason: string): Uint8Array {
  return encode({ 'failure reason': clip(reason) });
}

function count(d: BDict, key: string): number | undefined {
  const n = getInt(d, key);
  if (n !== undefined && n < 0) throw new TrackerCodecError(`bad-${key}`, `negative ${key}`);
  return n;
}

function dictPeers(list: BValue, maxPeers: number): PeerAddress[] {
  if (!Array.isArray(list)) throw new TrackerCodecError('bad-peers', 'peers is neither a string nor a list');
  if (list.length > maxPeers) throw new TrackerCodecError('too-many-peers', `${list.length} peers exceed the limit of ${maxPeers}`);
  return list.map((item) => {
    const d = asDict(item, 'peer');
    const ip = getString(d, 'ip');
    const port = getInt(d, 'port');
    if (ip === undefined || ip.length > 255) throw new TrackerCodecError('bad-peer', 'peer without a usable ip');
    if (port === undefined || port < 0 || port > 0xffff) throw new TrackerCodecError('bad-peer', 'peer without a valid port');
    return { ip, port };
  });
}

/** Decodes an announce response body; a `failure reason` wins over everything else (BEP 3). */
export function decodeAnnounceResponse(body: Uint8Array, maxPeers = DEFAULT_MAX_COMPACT_PEERS): DecodedAnnounce {
  let d: BDict;
  try {
    d = asDict(decode(body), 'announce response');
  } catch (e) {
    if (e instanceof BencodeError) throw new TrackerCodecError('bad-bencode', `announce response: ${e.message}`);
    throw e;
  }
  try {
    const failure = getString(d, 'failure reason');
    if (failure !== undefined) return { ok: false, failure: clip(failure) };
    const interval = count(d, 'interval');
    if (interval === undefined) throw new TrackerCodecError('missing-interval', 'announce response without interval');
    const raw = d.get('peers');
    const peers: PeerAddress[] = raw === undefined ? []
      : raw instanceof Uint8Array ? decodeCompactPeers(raw, 4, maxPeers) : dictPeers(raw, maxPeers);
    const peers6 = getBytes(d, 'peers6');
    if (peers6 !== undefined) peers.push(...decodeCompactPeers(peers6, 6, maxPeers - peers.length));
    const minInterval = count(d, 'min interval'), complete = count(d, 'complete'), incomplete = count(d, 'incomplete');
    const warning = getString(d, 'warning message'), trackerId = getString(d, 'tracker id');
    return {
      ok: true,
      response: {
        interval,
        peers,
        ...(minInterval !== undefined && { minInterval }),
        ...(complete !== undefined && { complete }),
        ...(incomplete !== undefined && { incomplete }),
        ...(warning !== undefined && { warning: clip(warning) }),
        ...(trackerId !== undefined && { trackerId: clip(trackerId) }),
      },
    };
  } catch (e) {
    if (e instanceof BencodeError) throw new TrackerCodecError('bad-field', `announce response: ${e.message}`);
    throw e;
  }
}

/** BEP 48: `files` maps each raw 20-byte infohash to its counters. */
export function encodeScrapeResponse(files: ReadonlyMap<InfoHashHex, ScrapeStats>): Uint8Array {
  const f = new Map<string, BValue>();
  for (const [hex, s] of files) {
    f.set(Buffer.from(hex, 'hex').toString('latin1'), new Map<string, BValue>([
      ['complete', s.complete], ['downloaded', s.downloaded], ['incomplete', s.incomplete],
    ]));
  }
  return encode(new Map<string, BValue>([['files', f]]));
}

export function decodeScrapeResponse(body: Uint8Array): Map<InfoHashHex, ScrapeStats> {
  try {
    const d = asDict(decode(body), 'scrape response');
    const failure = getString(d, 'failure reason');
    if (failure !== undefined) throw new TrackerCodecError('failure', clip(failure));
    const out = new Map<InfoHashHex, ScrapeStats>();
    for (const [k, v] of getDict(d, 'files') ?? new Map<string, BValue>()) {
      const key = bencodeKeyBytes(k);
      if (key.length !== 20) throw new TrackerCodecError('bad-info_hash', 'scrape key is not 20 bytes');
      const s = asDict(v, 'scrape entry');
      out.set(infoHashToHex(key), { complete: count(s, 'complete') ?? 0, downloaded: count(s, 'downloaded') ?? 0, incomplete: count(s, 'incomplete') ?? 0 });
    }
    return out;
  } catch (e) {
    if (e instanceof BencodeError) throw new TrackerCodecError('bad-bencode', `scrape response: ${e.message}`);
    throw e;
  }
}
