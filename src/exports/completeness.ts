import { indexLeafHash } from '../evidence/audit.ts';
import type { CheckpointBody } from '../evidence/checkpoint.ts';
import { EvidenceError } from '../evidence/errors.ts';
import { inclusionProofs } from '../evidence/inclusion-proofs.ts';
import { ACC_ZERO, accStep, decoyKey, ipKey, timeKey, type IndexLeaf } from '../evidence/key-index.ts';
import type { StoredKey } from '../evidence/log-store.ts';
import type { EvidenceLogTables, LogFilter, LogLink } from '../store/evidence-log.ts';
import { deriveOrStub, isStub } from './erased-stubs.ts';
import { ExportError } from './errors.ts';

/** A leaf of the key index with its RFC 9162 inclusion path in the checkpoint's index tree. */
export interface ProvenLeaf { readonly leaf: { acc: string; count: number; key: string }; readonly index: number; readonly path: string[] }

/** One key's part of a proof: its leaf and the records that reproduce it, or the neighbours that prove it absent. */
export interface KeyProof {
  readonly key: string;
  readonly leaf: ProvenLeaf | null;
  /** Seqs of the key's records in the window: every one is in records.ndjson. */
  readonly inside: number[];
  /** [seq, at, hash] of the key's records outside the window. */
  readonly outside: [number, number, string][];
  /** For an absent key: the leaves just before and after where it would be (0 to 2). */
  readonly neighbours: ProvenLeaf[];
}

/**
 * completeness.json (docs/completeness.md), against the checkpoint's signed key index:
 * - one IP or one decoy: the key's proof (the KeyProof fields at the top level); for an IP, also
 *   `network`, the proof of its /24 or /48 network key, under which aggregate records are filed;
 * - IP and decoy: the IP's proof, with `decoy` and, in `other`, the texts of the IP's records in
 *   the window that are not of that decoy (so the verifier sees why each is not in the package);
 * - time only: `time`, the consecutive leaves of every "time:" key of the window's hours, each
 *   with its records, and the leaves just `before` and `after` them.
 */
export interface CompletenessProof extends Partial<Omit<KeyProof, 'key'>> {
  readonly key: string | null;
  readonly tree_size: number;
  readonly index: string;
  readonly index_size: number;
  readonly window: { readonly from: number | null; readonly to: number | null };
  readonly network?: KeyProof;
  readonly decoy?: number;
  readonly other?: string[];
  readonly time?: { readonly leaves: KeyProof[]; readonly before: ProvenLeaf | null; readonly after: ProvenLeaf | null };
  /** Several addresses (selection `ips`): per address, in the selection's order, its proof and its network's, as for one IP. */
  readonly ips?: (KeyProof & { readonly network?: KeyProof })[];
}

/** The key a filter selects by, when it selects by exactly one of ip and decoy. */
export function selectionKey(f: LogFilter): string | undefined {
  if ((f.kinds && f.kinds.length > 0) || f.ips !== undefined) return undefined;
  if (f.ip !== undefined && f.decoyId === undefined) return ipKeyOf(f.ip);
  if (f.decoyId !== undefined && f.ip === undefined) return decoyKey(f.decoyId);
  return undefined;
}

export function ipKeyOf(ip: string): string {
  const k = ipKey(ip);
  if (!k) throw new ExportError(`not an IP address: ${ip}`);
  return k;
}

/**
 * The index's leaves at `positions`, with their inclusion paths, after checking that all its leaves
 * hash to the root the checkpoint signed (an index edited in the database is refused).
 */
export function provenLeaves(table: EvidenceLogTables, cp: CheckpointBody, positions: readonly number[]): Map<number, ProvenLeaf> {
  if (cp.index === undefined || cp.index_size === undefined) throw new EvidenceError('the checkpoint has no key index');
  const wanted = new Set(positions.filter((i) => i >= 0 && i < cp.index_size!));
  const leaves = new Map<number, IndexLeaf>();
  const tree = inclusionProofs((function* () {
    let i = 0;
    for (const l of table.index.leaves()) { if (wanted.has(i)) leaves.set(i, l); i++; yield indexLeafHash(l); }
  })(), cp.index_size, [...wanted]);
  if (tree.root.toString('hex') !== cp.index) throw new EvidenceError('the key index in the database no longer matches the root signed in the checkpoint: it was edited');
  const out = new Map<number, ProvenLeaf>();
  for (const [i, l] of leaves) out.set(i, { leaf: { acc: l.acc.toString('hex'), count: l.count, key: l.key }, index: i, path: tree.proofs.get(i)!.map((h) => h.toString('hex')) });
  return out;
}

const inWindow = (f: LogFilter) => (at: number) => (f.from === undefined || at >= f.from) && (f.to === undefined || at < f.to);

/**
 * A stored key's records, split by the window, after checking that they reproduce its leaf's count
 * and accumulator with the hashes held in the chain (a record list edited in the database is refused).
 */
function keyRecords(table: EvidenceLogTables, stored: StoredKey, f: LogFilter): { inside: LogLink[]; insideAt: number[]; outside: [number, number, string][] } {
  const records = table.index.records(stored.id);
  const links = table.linksAt(records.map(([seq]) => seq));
  let acc = ACC_ZERO;
  records.forEach(([seq, at], i) => { acc = accStep(acc, seq, at, links[i]!.hash); });
  if (records.length !== stored.count || !acc.equals(stored.acc)) {
    throw new EvidenceError(`the key index's record list for ${stored.key} no longer reproduces its signed count and accumulator: it was edited`);
  }
  const inside: LogLink[] = [];
  const insideAt: number[] = [];
  const outside: [number, number, string][] = [];
  const within = inWindow(f);
  records.forEach(([seq, at], i) => {
    if (within(at)) { inside.push(links[i]!); insideAt.push(at); } else outside.push([seq, at, links[i]!.hash.toString('hex')]);
  });
  return { inside, insideAt, outside };
}

/** Keys' proofs (each its leaf and records, or, absent, the neighbouring leaves), from one pass over the index's leaves. */
export function proveKeys(table: EvidenceLogTables, cp: CheckpointBody, keys: readonly string[], f: LogFilter): { links: LogLink[]; ats: number[]; proof: KeyProof }[] {
  const found = keys.map((key) => ({ key, stored: table.index.get(key), pos: table.index.position(key) }));
  const proven = provenLeaves(table, cp, found.flatMap(({ stored, pos }) => (stored ? [pos] : [pos - 1, pos])));
  return found.map(({ key, stored, pos }) => {
    if (!stored) return { links: [], ats: [], proof: { key, leaf: null, inside: [], outside: [], neighbours: [pos - 1, pos].flatMap((i) => proven.get(i) ?? []) } };
    const { inside, insideAt, outside } = keyRecords(table, stored, f);
    return { links: inside, ats: insideAt, proof: { key, leaf: proven.get(pos)!, inside: inside.map((l) => l.seq), outside, neighbours: [] } };
  });
}

const proveKey = (table: EvidenceLogTables, cp: CheckpointBody, key: string, f: LogFilter) => proveKeys(table, cp, [key], f)[0]!;

function head(cp: CheckpointBody, f: LogFilter) {
  if (cp.index === undefined || cp.index_size === undefined) throw new EvidenceError('the checkpoint has no key index');
  return { tree_size: cp.tree_size, index: cp.index, index_size: cp.index_size, window: { from: f.from ?? null, to: f.to ?? null } };
}

/**
 * The records of `key` in the filter's time window, found through the key index, not through the
 * rows' filter columns: a row edited or deleted after it was chained stays selected, and its
 * derivation from the row then fails with its record number.
 */
export function selectByKey(table: EvidenceLogTables, cp: CheckpointBody, key: string, f: LogFilter, max: number): { links: LogLink[]; ats: number[]; proof: CompletenessProof } {
  const { links, ats, proof } = proveKey(table, cp, key, f);
  if (links.length > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
  return { links, ats, proof: { ...head(cp, f), ...proof } };
}

/** By one IP: its key and its network's key (aggregate records), proved in one pass over the index. */
export function selectByIp(table: EvidenceLogTables, cp: CheckpointBody, key: string, net: string | undefined, f: LogFilter, max: number): { links: LogLink[]; ats: number[]; proof: CompletenessProof } {
  const [ip, n] = proveKeys(table, cp, net === undefined ? [key] : [key, net], f);
  if (ip!.links.length > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
  if (!n) return { links: ip!.links, ats: ip!.ats, proof: { ...head(cp, f), ...ip!.proof } };
  const links = [...ip!.links, ...n.links].sort((a, b) => a.seq - b.seq);
  return { links, ats: [...ip!.ats, ...n.ats], proof: { ...head(cp, f), ...ip!.proof, network: n.proof } };
}

/**
 * By several addresses: each address's key and its network's key, as selectByIp, all proved in one
 * pass over the index (a referral of 500 addresses is one export, not 500). A record found under two
 * keys (an address and its network) is in the package once.
 */
export function selectByIps(table: EvidenceLogTables, cp: CheckpointBody, ips: readonly string[], net: (ip: string) => string | undefined, f: LogFilter, max: number): { links: LogLink[]; ats: number[]; proof: CompletenessProof } {
  const wanted = ips.map((ip) => ({ key: ipKeyOf(ip), net: net(ip) }));
  const keys = [...new Set(wanted.flatMap((w) => (w.net === undefined ? [w.key] : [w.key, w.net])))];
  const proved = new Map(proveKeys(table, cp, keys, f).map((p) => [p.proof.key, p]));
  const bySeq = new Map<number, { link: LogLink; at: number }>();
  for (const p of proved.values()) p.links.forEach((l, i) => bySeq.set(l.seq, { link: l, at: p.ats[i]! }));
  if (bySeq.size > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
  const picked = [...bySeq.values()].sort((a, b) => a.link.seq - b.link.seq);
  const proofs = wanted.map((w) => ({ ...proved.get(w.key)!.proof, ...(w.net !== undefined ? { network: proved.get(w.net)!.proof } : {}) }));
  return { links: picked.map((x) => x.link), ats: picked.map((x) => x.at), proof: { ...head(cp, f), key: null, ips: proofs } };
}

/**
 * By IP and decoy: the IP's records from its key (as selectByKey), narrowed to the decoy by their
 * re-derived records (filed under "decoy:<id>"); the texts of the others in the window go into the
 * proof, so that the verifier can recompute the IP's accumulator and see that each is of another decoy.
 */
export function selectByIpAndDecoy(table: EvidenceLogTables, cp: CheckpointBody, f: LogFilter & { ip: string; decoyId: number }, max: number): { links: LogLink[]; ats: number[]; proof: CompletenessProof } {
  const { links: ofIp, proof } = proveKey(table, cp, ipKeyOf(f.ip), f);
  const want = decoyKey(f.decoyId);
  const picked: LogLink[] = [];
  const ats: number[] = [];
  const other: string[] = [];
  for (let i = 0; i < ofIp.length; i += DERIVE_CHUNK) {
    const chunk = ofIp.slice(i, i + DERIVE_CHUNK);
    // An erased record's decoy is gone with its content: it stays in the selection as a stub (erased-stubs.ts), reported as erased.
    deriveOrStub(table, chunk).forEach((r, j) => { if (isStub(r) || r.keys.includes(want)) { picked.push(chunk[j]!); ats.push(r.at); } else other.push(r.text); });
  }
  if (picked.length > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
  return { links: picked, ats, proof: { ...head(cp, f), ...proof, inside: picked.map((l) => l.seq), decoy: f.decoyId, other } };
}

/** Records re-derived (texts held) at a time while narrowing a selection. */
const DERIVE_CHUNK = 2000;

/** Every "time:" key sorts between these (':' < ';' in ASCII). */
const TIME_LOW = 'time:';
const TIME_HIGH = 'time;';

/**
 * By time only: every "time:" key of the window's hours (a run of consecutive leaves, the keys
 * sorting as their hours), each with its records split by the window, and the leaves just before
 * and after that run, which prove that no other key of those hours exists.
 */
export function selectByTime(table: EvidenceLogTables, cp: CheckpointBody, f: LogFilter, max: number): { links: LogLink[]; ats: number[]; proof: CompletenessProof } {
  const lo = f.from === undefined ? TIME_LOW : timeKey(Math.max(0, f.from)) ?? TIME_HIGH;
  const hi = f.to === undefined ? TIME_HIGH : timeKey(Math.max(0, f.to - 1)) ?? TIME_HIGH;
  const stored = f.to !== undefined && f.to <= 0 ? [] : table.index.between(lo, hi);
  const first = stored.length > 0 ? table.index.position(stored[0]!.key) : table.index.position(lo);
  const last = first + stored.length - 1;
  const proven = provenLeaves(table, cp, [first - 1, ...stored.map((_, i) => first + i), last + 1]);
  const links: LogLink[] = [];
  const ats: number[] = [];
  const leaves = stored.map((s, i) => {
    const { inside, insideAt, outside } = keyRecords(table, s, f);
    links.push(...inside);
    ats.push(...insideAt);
    if (links.length > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
    return { key: s.key, leaf: proven.get(first + i)!, inside: inside.map((l) => l.seq), outside, neighbours: [] };
  });
  links.sort((a, b) => a.seq - b.seq);
  return { links, ats, proof: { ...head(cp, f), key: null, time: { leaves, before: proven.get(first - 1) ?? null, after: proven.get(last + 1) ?? null } } };
}
