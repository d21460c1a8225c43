import { encode, type Encodable } from '../../bencode/index.ts';
import type { HandshakeStyle } from '../../domain/presentation.ts';

/**
 * The extension ids a seed advertises in its BEP 10 handshake, per client (the ids are the
 * sender's choice; these are the ones each client uses, config/client-profiles.ts has the
 * captures). Only ut_metadata is served; messages on the others are ignored, as a lone seed with
 * nothing to say on them would be silent: no PEX peers, no hole punching, no have-removal.
 */
export const ADVERTISED_EXTENSIONS: Readonly<Record<HandshakeStyle, ReadonlyMap<string, number>>> = {
  // libtorrent 2.0: upload_only 3, ut_holepunch 4, lt_donthave 7, share_mode 8 (bt_peer_connection.hpp),
  // ut_pex 1 and ut_metadata 2 (their plugins).
  libtorrent: new Map([['lt_donthave', 7], ['share_mode', 8], ['upload_only', 3], ['ut_holepunch', 4], ['ut_metadata', 2], ['ut_pex', 1]]),
  // Transmission 3.00: UT_PEX_ID 1, UT_METADATA_ID 3 (peer-msgs.c); PEX is on by default.
  transmission: new Map([['ut_metadata', 3], ['ut_pex', 1]]),
};

/** Our local id for ut_metadata requests under a style (BEP 10: ids are chosen by the receiver). */
export function utMetadataId(style: HandshakeStyle): number {
  return ADVERTISED_EXTENSIONS[style].get('ut_metadata')!;
}

export interface PresentedHandshakeFields {
  readonly style: HandshakeStyle;
  /** BEP 10 `v`. */
  readonly v: string;
  readonly reqq: number;
  /** BEP 9 size of the info dictionary. */
  readonly metadataSize: number;
  /** The peer's address as we see it: 4 or 16 bytes. */
  readonly yourip?: Uint8Array;
  /** Our listen port (Transmission sends it on every connection). */
  readonly listenPort: number;
}

/**
 * The extended handshake payload (after the id byte 0) a seed of `style` sends on an incoming
 * connection, key for key (bencode sorts the keys, as both clients' encoders do):
 * - libtorrent: complete_ago -1, m, metadata_size, reqq, upload_only 1, v, yourip; no p
 *   (it sends p only on connections it opened);
 * - Transmission 3.00: e 1 (encryption preferred, its default), m, metadata_size, p, reqq,
 *   upload_only 1, v; no yourip (added in 4.0).
 */
export function encodePresentedHandshake(f: PresentedHandshakeFields): Uint8Array {
  const m = ADVERTISED_EXTENSIONS[f.style];
  const d: Record<string, Encodable | undefined> = f.style === 'libtorrent'
    ? { complete_ago: -1, m, metadata_size: f.metadataSize, reqq: f.reqq, upload_only: 1, v: f.v, yourip: f.yourip }
    : { e: 1, m, metadata_size: f.metadataSize, p: f.listenPort, reqq: f.reqq, upload_only: 1, v: f.v };
  return encode(d);
}
