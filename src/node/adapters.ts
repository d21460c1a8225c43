import type { Decoy, ServedDecoy } from '../domain/decoy.ts';
import { InputError } from '../domain/errors.ts';
import { BitTorrentAdapter } from '../bittorrent/bittorrent-adapter.ts';
import type { AdapterComponents, AdapterFactory, AdapterHealth, NetworkAdapter } from '../network/network-adapter.ts';
import { startInOrder, type StartedParts } from '../network/startable.ts';

/** The networks a node can serve on, by the name the `node.networks` setting uses. */
export const BUILT_IN_NETWORKS: Readonly<Record<string, AdapterFactory>> = {
  bittorrent: (c) => new BitTorrentAdapter(c),
};

/**
 * The adapters of one running node, in the order the settings name them. Every decoy served or
 * retired goes to every adapter; they start in order and stop in reverse (startInOrder).
 */
export class AdapterSet {
  readonly adapters: readonly NetworkAdapter[];
  #started: StartedParts | undefined;

  /** Builds the adapters `names` asks for; an unknown name is bad input (exit 2), before anything starts. */
  constructor(names: readonly string[], factories: Readonly<Record<string, AdapterFactory>>, c: AdapterComponents) {
    if (names.length === 0) throw new InputError('node.networks: name at least one network (known: ' + Object.keys(factories).join(', ') + ')');
    if (new Set(names).size !== names.length) throw new InputError(`node.networks: a network is named twice: ${names.join(', ')}`);
    this.adapters = names.map((n) => {
      const make = Object.hasOwn(factories, n) ? factories[n] : undefined;
      if (!make) throw new InputError(`node.networks: unknown network "${n}" (known: ${Object.keys(factories).join(', ')})`);
      return make(c);
    });
  }

  /** The first adapter of this kind, if the node runs it. */
  find<T extends NetworkAdapter>(kind: abstract new (...args: never[]) => T): T | undefined {
    return this.adapters.find((a): a is T => a instanceof kind);
  }

  reserve(n: number): void { for (const a of this.adapters) a.reserve(n); }
  addDecoy(d: Decoy | ServedDecoy): void { for (const a of this.adapters) a.addDecoy(d); }
  removeDecoy(d: ServedDecoy): void { for (const a of this.adapters) a.removeDecoy(d); }
  /** Every adapter serves the same decoys: the first one's list stands for all. */
  decoys(): Iterable<ServedDecoy> { return this.adapters[0]!.decoys(); }
  servedIds(): Float64Array { return servedIdsOf(this.adapters[0]!); }
  health(): AdapterHealth[] { return this.adapters.map((a) => a.health()); }

  async start(signal: AbortSignal, log: (m: string) => void): Promise<void> {
    this.#started = await startInOrder(this.adapters, signal, log);
  }

  async stop(): Promise<void> {
    const s = this.#started;
    this.#started = undefined;
    await s?.stop();
  }
}

/** An index's served ids: its own column copy when it has one, else read from its decoys. */
export function servedIdsOf(index: { decoys(): Iterable<ServedDecoy>; servedIds?(): Float64Array }): Float64Array {
  if (index.servedIds) return index.servedIds();
  const ids: number[] = [];
  for (const d of index.decoys()) ids.push(d.id);
  return Float64Array.from(ids);
}
