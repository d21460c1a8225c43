import { indexLeafHash } from '../evidence/audit.ts';
import { CHECKPOINT_TYPE, type CheckpointBody } from '../evidence/checkpoint.ts';
import { inclusionProofs } from '../evidence/inclusion-proofs.ts';
import { ACC_ZERO, accStep, recordKeys, timeKey } from '../evidence/key-index.ts';
import { leafHashOfText } from '../evidence/merkle.ts';
import { RECORD_CODECS } from '../store/sqlite/record-tables/registry.ts';
import type { CompletenessProof, KeyProof, ProvenLeaf } from './completeness.ts';
import { ExportError } from './errors.ts';
import { ipKeyOf } from './completeness.ts';
import { networkKey } from './selection.ts';

/** What the proof needs from the centre's PostgreSQL (a pg Client or Pool). */
interface Query { query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

/** The centre's selections: by one IP (with its network's key), or by time alone; each in an optional window [from, to). */
export interface CentreKeySelection { readonly ip?: string; readonly from?: number; readonly to?: number }

interface KeyState { count: number; acc: Buffer; links?: [number, number, Buffer][] }

/** Records read per query while the index is rebuilt. */
const CHUNK = 10_000;
const TIME_LOW = 'time:';
const TIME_HIGH = 'time;';

/**
 * A node's completeness proof for a selection, made at the centre (issue 12 item 5; the format of
 * docs/completeness.md, completeness.json). The centre does not keep the node's key index, but it
 * holds every record of the node up to the checkpoint, as the exact texts the node chained: it files
 * each record under its keys exactly as the node's audit does (key-index.ts recordKeys of the
 * record's `obs`, with the fields its kind's table declares), rebuilds each key's count and
 * accumulator, and checks that the sorted map's root and size are the `index` and `index_size` the
 * node signed. Only then are the selection's leaves proved: the proof is the node's own commitment,
 * not the centre's word. Returns the proof and the seqs of the records the package must hold.
 *
 * Cost: one pass over the node's records up to the checkpoint (their texts parsed and hashed) per
 * node and export, and one entry per key in memory; an index kept at the centre as records arrive
 * would avoid the pass, and is not built.
 */
export async function centreCompleteness(db: Query, nodeId: number, fp: string, cp: CheckpointBody, sel: CentreKeySelection): Promise<{ proof: CompletenessProof; seqs: number[] }> {
  if (cp.type !== CHECKPOINT_TYPE || cp.index === undefined || cp.index_size === undefined) {
    throw new ExportError(`node ${fp}: its newest verified checkpoint is ${cp.type}, without the minute-keyed index (v4) a completeness proof needs`);
  }
  const ipKey = sel.ip === undefined ? undefined : ipKeyOf(sel.ip);
  const netKey = sel.ip === undefined ? undefined : networkKey(sel.ip);
  const lo = sel.from === undefined ? TIME_LOW : timeKey(Math.max(0, sel.from)) ?? TIME_HIGH;
  const hi = sel.to === undefined ? TIME_HIGH : timeKey(Math.max(0, sel.to - 1)) ?? TIME_HIGH;
  const wanted = (key: string) => (ipKey !== undefined ? key === ipKey || key === netKey : key.startsWith(TIME_LOW) && key >= lo && key <= hi && !(sel.to !== undefined && sel.to <= 0));

  const keys = new Map<string, KeyState>();
  for (let from = 0; from < cp.tree_size; from += CHUNK) {
    // An erased record (pg-centre-erasure-001) has no text: its tombstone holds the keys it was filed under.
    const rows = (await db.query(`SELECT r.seq, r.hash, r.text, e.at AS erased_record_at, e.keys AS erased_keys FROM cs_centre_records($1, $2, $3) r
      LEFT JOIN centre_erased e ON e.node_id = r.node_id AND e.seq = r.seq ORDER BY r.seq`, [nodeId, from, Math.min(cp.tree_size, from + CHUNK)])).rows;
    if (rows.length !== Math.min(cp.tree_size, from + CHUNK) - from) throw new ExportError(`node ${fp}: the centre does not hold every record up to its checkpoint (${cp.tree_size})`);
    for (const [i, r] of rows.entries()) {
      const seq = Number(r.seq);
      const text = String(r.text);
      const hash = r.hash as Buffer;
      const erased = r.erased_keys !== null && r.erased_keys !== undefined && text === '';
      if (seq !== from + i || (!erased && !leafHashOfText(text).equals(hash))) throw new ExportError(`node ${fp}: record ${from + i} is missing or no longer matches its stored hash`);
      // The tombstone's keys and time are not trusted: the rebuilt index's root must still be the one the node signed (below).
      const rec = erased ? { at: Number(r.erased_record_at), keys: JSON.parse(String(r.erased_keys)) as string[] } : (() => {
        const x = JSON.parse(text) as { at: number; kind: string; obs: Record<string, unknown> };
        return { at: x.at, keys: recordKeys(x.obs, keyFields(x.kind), x.at) };
      })();
      for (const key of rec.keys) {
        let s = keys.get(key);
        if (!s) { s = { count: 0, acc: ACC_ZERO, ...(wanted(key) ? { links: [] } : {}) }; keys.set(key, s); }
        s.count++;
        s.acc = accStep(s.acc, seq, rec.at, hash);
        s.links?.push([seq, rec.at, hash]);
      }
    }
  }
  // The sorted map (keys are ASCII: string order is byte order), its root checked against the node's signature.
  const sorted = [...keys.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const position = (key: string) => { let a = 0, b = sorted.length; while (a < b) { const m = (a + b) >> 1; if (sorted[m]! < key) a = m + 1; else b = m; } return a; };
  const selected = ipKey !== undefined ? [ipKey, ...(netKey ? [netKey] : [])] : sorted.filter(wanted);
  const positions = new Set<number>();
  for (const key of selected) { const p = position(key); if (keys.has(key)) positions.add(p); else { positions.add(p - 1); positions.add(p); } }
  if (ipKey === undefined) { const first = position(lo); positions.add(first - 1); positions.add(first + selected.length); }
  const inTree = [...positions].filter((p) => p >= 0 && p < sorted.length);
  const tree = inclusionProofs(sorted.map((key) => { const s = keys.get(key)!; return indexLeafHash({ key, count: s.count, acc: s.acc }); }), sorted.length, inTree);
  if (sorted.length !== cp.index_size || tree.root.toString('hex') !== cp.index) {
    throw new ExportError(`node ${fp}: the records the centre holds do not reproduce the key index the node signed at ${cp.tree_size} records`);
  }
  const proven = (p: number): ProvenLeaf | undefined => {
    if (p < 0 || p >= sorted.length) return undefined;
    const key = sorted[p]!;
    const s = keys.get(key)!;
    return { leaf: { acc: s.acc.toString('hex'), count: s.count, key }, index: p, path: tree.proofs.get(p)!.map((h) => h.toString('hex')) };
  };
  const within = (at: number) => (sel.from === undefined || at >= sel.from) && (sel.to === undefined || at < sel.to);
  const seqs: number[] = [];
  const keyProof = (key: string): KeyProof => {
    const s = keys.get(key);
    const p = position(key);
    if (!s) return { key, leaf: null, inside: [], outside: [], neighbours: [p - 1, p].flatMap((i) => proven(i) ?? []) };
    const inside: number[] = [];
    const outside: [number, number, string][] = [];
    for (const [seq, at, hash] of s.links!) { if (within(at)) { inside.push(seq); seqs.push(seq); } else outside.push([seq, at, hash.toString('hex')]); }
    return { key, leaf: proven(p)!, inside, outside, neighbours: [] };
  };
  const head = { tree_size: cp.tree_size, index: cp.index, index_size: cp.index_size, window: { from: sel.from ?? null, to: sel.to ?? null } };
  let proof: CompletenessProof;
  if (ipKey !== undefined) {
    const { key, ...ip } = keyProof(ipKey);
    proof = { ...head, key, ...ip, ...(netKey ? { network: keyProof(netKey) } : {}) };
  } else {
    const leaves = selected.map(keyProof);
    const first = position(lo);
    proof = { ...head, key: null, time: { leaves, before: proven(first - 1) ?? null, after: proven(first + selected.length) ?? null } };
  }
  return { proof, seqs: [...new Set(seqs)].sort((a, b) => a - b) };
}

/** The fields a kind's table declares as its IP, network and decoy (as the node's audit files them). */
function keyFields(kind: string): { ipField?: string; decoyField?: string; networkField?: string } {
  const spec = RECORD_CODECS.get(kind)?.spec;
  return spec ? { ...(spec.ipField ? { ipField: spec.ipField } : {}), ...(spec.decoyField ? { decoyField: spec.decoyField } : {}), ...(spec.networkField ? { networkField: spec.networkField } : {}) } : {};
}
