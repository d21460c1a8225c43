// The chain worker (ChainHasher): hashes a batch while the main thread inserts its rows.
import type { SQLInputValue } from 'node:sqlite';
import { parentPort } from 'node:worker_threads';
import { frontierFromBytes } from '../merkle.ts';
import { chainInto, type ChainRow } from './chain-inline.ts';
import { JsonBytes } from './json-bytes.ts';
import { hashesArea, publishDone, publishFailed, rowsIn } from './shared-result.ts';

/** One batch, as ChainHasher posts it (kinds and values apart: cheaper to clone than row objects). */
export interface ChainJob {
  readonly job: number;
  readonly sab: SharedArrayBuffer;
  readonly node: string;
  readonly seq: number;
  readonly prev: string;
  readonly frontier: Uint8Array;
  readonly kinds: readonly string[];
  readonly values: readonly (readonly SQLInputValue[])[];
}

const sink = new JsonBytes();

function run(m: ChainJob): void {
  try {
    const n = m.kinds.length;
    if (m.values.length !== n || rowsIn(m.sab) < n) throw new RangeError(`job ${m.job}: ${n} kinds, ${m.values.length} rows, room for ${rowsIn(m.sab)}`);
    const rows: ChainRow[] = new Array<ChainRow>(n);
    for (let i = 0; i < n; i++) rows[i] = { kind: m.kinds[i]!, values: m.values[i]! };
    const batch = { node: m.node, seq: m.seq, prev: m.prev, frontier: frontierFromBytes(m.seq, m.frontier), rows };
    publishDone(m.sab, m.job, chainInto(batch, hashesArea(m.sab, n), sink));
  } catch (e) {
    publishFailed(m.sab, m.job, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
}

parentPort?.on('message', run);
