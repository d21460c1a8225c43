/**
 * What a deployment presents to peers and in the files it publishes (issue 10 item 3: no constant
 * marks). Every value a filter list could key on comes from here, resolved once per data directory
 * from the settings and the deployment seed (config/client-profiles.ts), never from a constant.
 */

/** The common clients a deployment can look like, each copied as a whole (config/client-profiles.ts). */
export const CLIENT_PROFILES = ['qbittorrent', 'transmission'] as const;
export type ClientProfileName = (typeof CLIENT_PROFILES)[number];

/** How the 12 characters after the BEP 20 prefix are drawn: as libtorrent or as Transmission does. */
export type PeerIdStyle = 'libtorrent' | 'transmission';
/** Which client's BEP 10 handshake (keys, extension ids) a seed sends. */
export type HandshakeStyle = 'libtorrent' | 'transmission';
/** How a decoy's piece length follows its size: as a client's torrent creator chooses it. */
export const PIECE_SIZE_POLICIES = ['libtorrent', 'transmission', 'mktorrent', 'pieces-2000'] as const;
export type PieceSizePolicy = (typeof PIECE_SIZE_POLICIES)[number];
/** `creation date` of an exported .torrent: spread before the build time, the build time, or none. */
export const CREATION_DATE_POLICIES = ['spread', 'build', 'omit'] as const;
export type CreationDatePolicy = (typeof CREATION_DATE_POLICIES)[number];

/** What a seed sends on the wire. Recorded with each node run, so the evidence says what peers saw. */
export interface WirePresentation {
  readonly profile: ClientProfileName;
  /** BEP 20 prefix, 8 bytes, e.g. `-TR3000-`. */
  readonly peerIdPrefix: string;
  readonly peerIdStyle: PeerIdStyle;
  /** BEP 10 `v`. */
  readonly clientVersion: string;
  /** HTTP User-Agent of tracker announces (libtorrent: its `v`; Transmission: "Transmission/3.00"). */
  readonly userAgent: string;
  readonly handshakeStyle: HandshakeStyle;
  /** BEP 10 `reqq` advertised (the seed still accepts up to seed.maxRequestQueue). */
  readonly reqq: number;
  /** reserved[7] & 0x01 (BEP 5) in the BitTorrent handshake. */
  readonly dhtBit: boolean;
  /** `v` of DHT queries, latin1 (libtorrent: "LT" + major + tiny version bytes); null: none, as Transmission. */
  readonly dhtVersion: string | null;
}

/** What an exported .torrent carries beside the info dictionary, and how pieces are sized. */
export interface TorrentPresentation {
  /** `created by`, or null to leave the key out. */
  readonly createdBy: string | null;
  readonly creationDate: CreationDatePolicy;
  /** For `spread`: the date falls up to this many days before the build time. */
  readonly spreadDays: number;
  /** Transmission writes `encoding: UTF-8`; libtorrent does not. */
  readonly encodingKey: boolean;
  readonly pieceSize: PieceSizePolicy;
}

export interface Presentation {
  readonly wire: WirePresentation;
  readonly torrent: TorrentPresentation;
  /** `seed`: padding bytes drawn per format from the deployment seed; `zero`: zeros (spaces in text). */
  readonly padding: 'seed' | 'zero';
  /**
   * A key derived from the deployment seed for per-decoy choices (creation dates, padding bytes).
   * Secret like the seed: never recorded or exported.
   */
  readonly choiceKey: Uint8Array;
}
