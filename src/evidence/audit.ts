import type { EvidenceLogTable } from '../store/sqlite/evidence-log.ts';
import type { EvidenceIndexTable } from '../store/sqlite/evidence-index.ts';
import { FrontierStack } from './chain/frontier-stack.ts';
import { EvidenceError } from './errors.ts';
import { ACC_ZERO, accStep, indexLeafText, keysOf, type IndexLeaf } from './key-index.ts';
import { frontierRoot, leafHashOfText } from './merkle.ts';

/** The key index after an audit: its root and number of leaves (what the checkpoint signs). */
export interface IndexHead { readonly root: string; readonly size: number }

/**
 * The audit that runs before every checkpoint (issue 17, item 1). It walks the chain, not the rows:
 *
 * 1. every record in [from, to), the records added since the last checkpoint, is re-derived from its
 *    row and must hash to its link (a row gone or changed is refused with the record number);
 * 2. every table's rows are counted against the chain's runs (EvidenceLogTable.checkRows), so a row
 *    deleted or added anywhere, also before the last checkpoint, is refused at the next one;
 * 3. the records walked in (1) are filed in the key index, and the index's root over its leaves as
 *    they were is compared with the root the last checkpoint signed (`signed`): an index edited in the
 *    database is refused before it is signed again.
 *
 * Incremental: the last checkpoint's tree_size is the audited-up-to position and its `index` root
 * the audited per-key state, both under the node's signature, so each record is derived once.
 */
export function audit(table: EvidenceLogTable, from: number, to: number, signed: IndexHead | undefined): IndexHead {
  table.checkRows(to);
  const index = table.index;
  if (signed === undefined) index.clear(); // no signed index yet (a log from before evidence-004): built from record 0
  const pending = new Map<string, { count: number; acc: Buffer; records: [number, number][] }>();
  let seq = from;
  for (const r of table.range(from, to)) {
    const rec = JSON.parse(r.text) as { at: number; obs: Record<string, unknown> };
    for (const key of keysOf(rec.obs, table.keyFields(r.kind))) {
      let p = pending.get(key);
      if (!p) { const s = index.get(key); p = { count: s?.count ?? 0, acc: s?.acc ?? ACC_ZERO, records: [] }; pending.set(key, p); }
      p.acc = accStep(p.acc, r.seq, rec.at, r.hash);
      p.count++;
      p.records.push([r.seq, rec.at]);
    }
    seq++;
  }
  if (seq !== to) throw new EvidenceError(`log has gaps: expected records up to ${to - 1}, the chain ends at ${seq - 1}`);

  const before = new Map<string, IndexLeaf | undefined>();
  for (const [key, p] of pending) {
    const s = index.get(key);
    before.set(key, s);
    index.put(key, s?.id, p.count, p.acc, p.records);
  }
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
