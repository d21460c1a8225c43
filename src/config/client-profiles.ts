import { createHmac } from 'node:crypto';
import type { ClientProfileName, Presentation, PieceSizePolicy, HandshakeStyle, PeerIdStyle } from '../domain/presentation.ts';
import type { Settings } from './settings.ts';

/** One release of a client: the values that name it, which must agree with each other. */
interface Release {
  readonly version: string;
  /** BEP 20 prefix this release sends. */
  readonly peerIdPrefix: string;
  /** BEP 10 `v` this release sends. */
  readonly v: string;
  /** `created by` its torrent creator writes. */
  readonly createdBy: string;
  /** HTTP User-Agent of its tracker announces. */
  readonly userAgent: string;
  /** `v` of its DHT queries (latin1), or null for none. */
  readonly dhtVersion: string | null;
}

interface ClientProfile {
  readonly releases: readonly Release[];
  readonly peerIdStyle: PeerIdStyle;
  readonly handshakeStyle: HandshakeStyle;
  readonly reqq: number;
  readonly dhtBit: boolean;
  readonly pieceSize: PieceSizePolicy;
  readonly encodingKey: boolean;
}

/** A qBittorrent release and the libtorrent 2.0 tiny version its builds bundle (DHT `v` "LT" 2 <tiny>). */
const qb = (version: string, ltTiny: number): Release => ({
  version, peerIdPrefix: `-qB${version.replace(/\./g, '').padEnd(4, '0')}-`, v: `qBittorrent/${version}`, createdBy: `qBittorrent v${version}`, userAgent: `qBittorrent/${version}`,
  dhtVersion: `LT\x02${String.fromCharCode(ltTiny)}`,
});

/**
 * The clients a deployment can look like, each copied as a whole (issue 10 item 3: "a peer that
 * claims a client id should answer like that client"). Sources, checked 2026-12-06:
 *
 * qBittorrent is libtorrent-rasterbar 2.0 with qBittorrent's names: peer id `-qB<ver>-` (its
 * PEER_ID "qB" through lt::generate_fingerprint), user agent `qBittorrent/<ver>` as `v`, and its
 * torrent creator's `created by` "qBittorrent v<ver>". libtorrent 2.0.8 seeding on loopback
 * (python3-libtorrent, DHT/LSD/UPnP off) answered an incoming connection with reserved
 * 00 00 00 00 00 10 00 05 (the DHT bit although DHT was off), peer id `-LT2080-` + 12 characters
 * from its url_random alphabet, then the extended handshake
 *   d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e11:upload_onlyi3e12:ut_holepunchi4e
 *   11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei590e4:reqqi2000e11:upload_onlyi1e1:v18:...6:yourip4:...e
 * (no `p` on an incoming connection; bt_peer_connection::write_extensions), then have_all.
 * Piece size: qBittorrent's creator leaves it to libtorrent (create_torrent, piece_size 0).
 *
 * Transmission 3.00 (Debian 12, Ubuntu 22.04) seeding on loopback (transmission-daemon 3.00
 * (bb6b5a062e), DHT/LPD/PEX off) answered with reserved 00 00 00 00 00 10 00 04 (0x01 only with
 * DHT on), peer id `-TR3000-` + 11 base-36 characters and a check character (tr_peerIdInit), then
 *   d1:ei1e1:md11:ut_metadatai3ee13:metadata_sizei295e1:pi46991e4:reqqi512e11:upload_onlyi1e1:v17:Transmission 3.00e
 * (peer-msgs.c sendLtepHandshake; with PEX on, as by default, `m` also has ut_pex 1), then have_all.
 * transmission-create 3.00 writes `created by` "Transmission/3.00 (bb6b5a062e)", `creation date`,
 * `encoding` "UTF-8", and chooses 32 KiB pieces below 50 MiB (makemeta.c bestPieceSize, measured).
 * Tracker announces of both: tracker/client/presented-announce.ts. MSE step 4: libtorrent sent a
 * random len(PadD) (231, 52, 335, 199), Transmission 3.00 always 0 (mse/responder.ts `padD`). DHT: libtorrent 2.0.8's get_peers
 * carried `v` "LT\x02\x08" (captured, bootstrap to a loopback socket only); Transmission 3.00 starts
 * jech's dht with no version (tr-dht.c dht_init(..., NULL)), so its queries carry no `v`.
 */
export const PROFILES: Readonly<Record<ClientProfileName, ClientProfile>> = {
  qbittorrent: {
    // Releases on libtorrent 2.0 from 2024-2025; any one is common among downloaders.
    releases: [qb('4.6.7', 10), qb('5.0.3', 10), qb('5.0.4', 11), qb('5.0.5', 11), qb('5.1.0', 11)],
    peerIdStyle: 'libtorrent', handshakeStyle: 'libtorrent', reqq: 2000, dhtBit: true, pieceSize: 'libtorrent', encodingKey: false,
  },
  transmission: {
    // Only the release whose every answer was captured here; 4.x sends other keys (yourip, ipv4).
    releases: [{ version: '3.00', peerIdPrefix: '-TR3000-', v: 'Transmission 3.00', createdBy: 'Transmission/3.00 (bb6b5a062e)', userAgent: 'Transmission/3.00', dhtVersion: null }],
    peerIdStyle: 'transmission', handshakeStyle: 'transmission', reqq: 512, dhtBit: false, pieceSize: 'transmission', encodingKey: true,
  },
};

/** A number in [0, n) drawn from the deployment seed for one named choice: stable per deployment. */
export function seedChoice(seed: Uint8Array, what: string, n: number): number {
  const h = createHmac('sha256', seed).update(`counterseed/choice/${what}`).digest();
  return h.readUInt32BE(0) % n;
}

/**
 * The presentation of a deployment: the profile (the setting, or drawn from the seed), one of its
 * releases (drawn from the seed), then every explicit setting on top. Two deployments with other
 * seeds differ in what they draw; an operator who sets a value takes responsibility for its
 * consistency (`config docs` says which values belong together).
 */
export function resolvePresentation(s: Settings, seed: Uint8Array): Presentation {
  const names = Object.keys(PROFILES) as ClientProfileName[];
  const name = s.clientProfile === 'auto' ? names[seedChoice(seed, 'profile', names.length)]! : s.clientProfile;
  const p = PROFILES[name];
  const r = p.releases[seedChoice(seed, `release/${name}`, p.releases.length)]!;
  const createdBy = s.createdBy === '' ? r.createdBy : s.createdBy === '-' ? null : s.createdBy;
  return {
    wire: {
      profile: name,
      peerIdPrefix: s.peerIdPrefix || r.peerIdPrefix,
      peerIdStyle: p.peerIdStyle,
      clientVersion: s.clientVersion || r.v,
      // libtorrent sends its user_agent as `v` too: an operator's `v` is then its User-Agent.
      userAgent: p.handshakeStyle === 'libtorrent' && s.clientVersion ? s.clientVersion : r.userAgent,
      handshakeStyle: p.handshakeStyle,
      reqq: s.advertisedRequestQueue || p.reqq,
      // Transmission sets 0x01 only with its DHT on, and then sends a PORT message we do not send.
      dhtBit: p.dhtBit,
      dhtVersion: r.dhtVersion,
    },
    torrent: {
      createdBy, creationDate: s.creationDate, spreadDays: s.creationDateSpreadDays, encodingKey: p.encodingKey,
      pieceSize: s.pieceSizePolicy === 'profile' ? p.pieceSize : s.pieceSizePolicy,
    },
    padding: s.padding,
    choiceKey: new Uint8Array(createHmac('sha256', seed).update('counterseed/choice-key').digest()),
  };
}
