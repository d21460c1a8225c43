import type { Observation } from '../domain/observation.ts';

/**
 * Running totals of what a node observed since it started, for its periodic status line (issue 15
 * item 12: the seed log said nothing between start and stop). Counted as observations are
 * published, before the bus: what was then dropped is in the bus's own count. Constant memory.
 */
export class ObservationTally {
  deliveries = 0;
  bytesServed = 0;
  announces = 0;
  /** The node's own peer ids (40 hex): its announces to its own tracker are not peers' announces. */
  readonly #own = new Set<string>();

  ignorePeerId(hex: string): void { if (hex) this.#own.add(hex.toLowerCase()); }

  count(o: Observation): void {
    if (o.kind === 'delivery') {
      this.deliveries++;
      this.bytesServed += o.bytesServed;
    } else if (o.kind === 'tracker-announce' && !this.#own.has(o.peerId.toLowerCase())) this.announces++;
  }
}
