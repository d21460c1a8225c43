import { InputError } from '../domain/errors.ts';
import { Shipper } from '../centre/shipper.ts';
import { loadNodeKey } from '../evidence/keys.ts';
import type { Startable } from '../network/startable.ts';
import type { Store } from '../store/store.ts';

/**
 * Records per request from a serving node, and per slice read between event-loop turns. The shipper
 * reads and re-derives them from the node's SQLite store on the serving thread; a slice of 1,000 is
 * ~10 ms of that (issue 16: event-loop p99 under 20 ms). A request carries five slices: each request
 * costs the centre a transaction and its round trips, and catch-up after an outage must run at
 * >= 10x real time (issue 12).
 */
export const NODE_BATCH = 5000;
export const NODE_SLICE = 1000;

/**
 * The seed node's shipper (issue 12 item 2) as a Startable: ships the node's chained records to the
 * centre from the node's own store, its outbox, until the node stops. An unreachable centre is
 * logged once when it goes and once when it is back; the node serves and records meanwhile.
 */
export function centreShipping(c: { url: string; dataDir: string; store: Store; log: (m: string) => void }): Startable {
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  return {
    name: 'centre shipper',
    start: async () => {
      const key = loadNodeKey(c.dataDir);
      if (!key) throw new InputError(`no node key in ${c.dataDir}/keys: the centre knows a node by its key`);
      let down = false;
      const shipper = new Shipper({
        url: c.url, key, log: c.store.evidenceLog().tables, batchSize: NODE_BATCH, sliceSize: NODE_SLICE,
        onError: (e) => { if (!down) c.log(`centre ${c.url}: ${e.message}; records stay in this node's store and are shipped when it answers`); down = true; },
        onShipped: (r) => { if (down) c.log(`centre ${c.url} answers again: ${r.acked} records acknowledged`); down = false; },
      });
      c.log(`shipping evidence records to the centre at ${c.url} as node ${key.fingerprint}`);
      running = shipper.run(stop.signal);
    },
    stop: async () => { stop.abort(); await running; },
  };
}
