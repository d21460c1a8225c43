// The chain worker (ChainHasher): hashes a batch while the main thread inserts its rows.
import { parentPort } from 'node:worker_threads';
import { frontierFromBytes } from '../merkle.ts';
import { chainRows } from './chain-inline.ts';
import { hashesArea, publishDone, publishFailed, rowsIn } from './shared-result.ts';
import { TapeReader, type ValueTape } from './value-tape.ts';

/** One batch, as ChainHasher posts it. */
export interface ChainJob {
  readonly job: number;
  /** Where the answer goes (shared-result.ts). */
  readonly sab: SharedArrayBuffer;
  readonly node: string;
  readonly seq: number;
  readonly prev: string;
  readonly frontier: Uint8Array;
  readonly rows: ValueTape;
}

function run(m: ChainJob): void {
  try {
    const n = m.rows.rows;
    if (rowsIn(m.sab) < n) throw new RangeError(`job ${m.job}: ${n} rows, room for ${rowsIn(m.sab)}`);
    const header = { node: m.node, seq: m.seq, prev: m.prev, frontier: frontierFromBytes(m.seq, m.frontier) };
    const tape = new TapeReader(m.rows);
    publishDone(m.sab, m.job, chainRows(header, n, (i) => tape.row(i), hashesArea(m.sab, n)));
  } catch (e) {
    publishFailed(m.sab, m.job, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
}

parentPort?.on('message', run);
// Ready: the main thread hands over no batch before this, so a worker that cannot start stalls nothing.
parentPort?.postMessage('ready');
