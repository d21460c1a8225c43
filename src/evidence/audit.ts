import type { EvidenceLogTable } from '../store/sqlite/evidence-log.ts';
import type { EvidenceIndexTable } from '../store/sqlite/evidence-index.ts';
import { FrontierStack } from './chain/frontier-stack.ts';
import { EvidenceError } from './errors.ts';
import { ACC_ZERO, accStep, indexLeafText, keysOf, type IndexLeaf } from './key-index.ts';
import { frontierRoot, leafHashOfText } from './merkle.ts';

/** The key index after an audit: its root and number of leaves (what the checkpoint signs). */
export interface IndexHead { readonly root: string; readonly size: number }

/** Index entries written at a time: memory stays bounded by the keys touched, not the records audited. */
const FLUSH_EVERY = 20_000;

/**
 * The audit that runs before every checkpoint (issue 17, item 1). It walks the chain, not the rows:
 *
 * 1. the chain's runs hold every record up to the head, and (with `rows`) every table's rows are
 *    counted against them (EvidenceLogTable.checkRows), so a row deleted anywhere, also before the
 *    last checkpoint, is refused with its record number;
 * 2. every record in [from, to), the records added since the last checkpoint, is re-derived from its
 *    row and must hash to its link (a row gone or changed is refused with the record number);
 * 3. those records are filed in the key index, and the index's root over its leaves as they were
 *    is compared with the root the last checkpoint signed (`signed`): an index edited in the
 *    database is refused before it is signed again.
 *
 * Incremental: the last checkpoint's tree_size is the audited-up-to position and its `index` root
 * the audited per-key state, both under the node's signature, so each record is derived once.
 * Runs inside the checkpoint's write transaction: a refusal leaves the index as it was.
 */
export function audit(table: EvidenceLogTable, from: number, to: number, signed: IndexHead | undefined, opts: { rows: boolean }): IndexHead {
  table.checkRows(to, opts);
  const index = table.index;
  if (signed === undefined) index.clear(); // no signed index yet (a log from before evidence-004): built from record 0
  const before = new Map<string, IndexLeaf | undefined>();
  const state = new Map<string, { id: number; count: number; acc: Buffer }>();
  let entries: [key: string, seq: number, at: number][] = [];
  const flush = () => {
    for (const [key, seq, at] of entries) index.addRecord(state.get(key)!.id, seq, at);
    entries = [];
  };
  let seq = from;
  for (const r of table.range(from, to)) {
    const rec = JSON.parse(r.text) as { at: number; obs: Record<string, unknown> };
    for (const key of keysOf(rec.obs, table.keyFields(r.kind))) {
      let s = state.get(key);
      if (!s) {
        const stored = index.get(key);
        before.set(key, stored);
        s = stored ? { id: stored.id, count: stored.count, acc: stored.acc } : { id: index.addKey(key), count: 0, acc: ACC_ZERO };
        state.set(key, s);
      }
      s.acc = accStep(s.acc, r.seq, rec.at, r.hash);
      s.count++;
      entries.push([key, r.seq, rec.at]);
    }
    if (entries.length >= FLUSH_EVERY) flush();
    seq++;
  }
  if (seq !== to) throw new EvidenceError(`log has gaps: expected records up to ${to - 1}, the chain ends at ${seq - 1}`);
  flush();
  for (const s of state.values()) index.setLeaf(s.id, s.count, s.acc);

  const { old, now } = indexRoots(index, before);
  if (signed !== undefined && (old.root !== signed.root || old.size !== signed.size)) {
    throw new EvidenceError('the key index in the database no longer matches the root signed in the last checkpoint: it was edited');
  }
  return now;
}

/** Roots of the index as it is now and as it was before `changed` keys were written (undefined: the key is new). */
function indexRoots(index: EvidenceIndexTable, changed: ReadonlyMap<string, IndexLeaf | undefined>): { old: IndexHead; now: IndexHead } {
  const o = new FrontierStack();
  const n = new FrontierStack();
  for (const leaf of index.leaves()) {
    const h = indexLeafHash(leaf);
    n.append(h, 0);
    if (!changed.has(leaf.key)) o.append(h, 0);
    else { const was = changed.get(leaf.key); if (was) o.append(indexLeafHash(was), 0); }
  }
  const head = (s: FrontierStack): IndexHead => ({ root: frontierRoot(s.frontier()).toString('hex'), size: s.size });
  return { old: head(o), now: head(n) };
}

export const indexLeafHash = (l: IndexLeaf): Buffer => leafHashOfText(indexLeafText(l));
