import type { Settings } from '../config/settings.ts';
import type { Decoy, ServedDecoy } from '../domain/decoy.ts';
import type { Observation } from '../domain/observation.ts';
import type { PieceSource } from '../domain/piece-source.ts';
import type { Startable } from './startable.ts';
import type { Presentation } from '../domain/presentation.ts';

/** How one network names a decoy: what a client of that network asks for, and the link that opens it. */
export interface DecoyAddress {
  readonly network: string;
  /** The network-neutral content id (domain/content-id.ts; BitTorrent: btih:<v1 infohash>; eDonkey: ed2k:<MD4 hash>). */
  readonly contentId: string;
  /** A link a client of that network opens (BitTorrent: magnet, BEP 9; eDonkey: ed2k://). */
  readonly link: string;
}

export interface AdapterHealth {
  readonly network: string;
  readonly running: boolean;
  /** Decoys this adapter serves. */
  readonly decoys: number;
  /** Open peer connections. */
  readonly connections: number;
  /** Where it listens ("tcp 127.0.0.1:6881", "udp 127.0.0.1:6969"). */
  readonly listening: readonly string[];
}

/**
 * One peer-to-peer network a node serves decoys on. The composition root (seed-node.ts) builds
 * the adapters the settings name, starts them in order (rolling back those already started if one
 * fails), tells every one of them about each decoy served or retired, and stops them in reverse.
 * An adapter turns a decoy into what its network needs (BitTorrent: info dict, infohash, magnet) and
 * reports what happens as observations through `publish`: the normal path to the recorder, the
 * store and the evidence chain. It serves upload-only, and keeps nothing peers send.
 */
export interface NetworkAdapter extends Startable {
  readonly network: string;
  /** Makes room for `n` decoys before the node adds its active ones at start (a node may serve 100,000). */
  reserve(n: number): void;
  /** Serves (and announces) a decoy; before start() it is served from start on. */
  addDecoy(d: Decoy | ServedDecoy): void;
  /** Stops serving and announcing a decoy; its records stay. */
  removeDecoy(d: ServedDecoy): void;
  /** Every decoy served, compact. */
  decoys(): Iterable<ServedDecoy>;
  /** The served decoys' ids alone, any order (a node may serve 1,000,000: no object per decoy); absent: read from decoys(). */
  servedIds?(): Float64Array;
  /** The decoy's content id and link on this network. */
  address(d: Decoy): DecoyAddress;
  health(): AdapterHealth;
}

/** What the composition root gives every adapter: settings, decoy bytes, and where observations go. */
export interface AdapterComponents {
  readonly settings: Settings;
  /** What the node presents to peers (issue 10 item 3); drawn from a fresh seed when absent (tests). */
  readonly presentation?: Presentation;
  /** A decoy's content, computed from its payload (nothing stored per decoy). */
  sourceFor(d: ServedDecoy): PieceSource;
  /** A decoy's stored metadata blob (BitTorrent: its exact bencoded info dict). */
  decoyInfo(decoyId: number): Uint8Array;
  publish(o: Observation): void;
  now(): number;
  log(msg: string): void;
}

export type AdapterFactory = (c: AdapterComponents) => NetworkAdapter;
