import { createHash, sign, type KeyObject } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../evidence/canonical-json.ts';
import { inclusionProofs } from '../evidence/inclusion-proofs.ts';
import { leafHashOfText } from '../evidence/merkle.ts';
import { ExportError } from './errors.ts';
import type { CheckpointBody } from '../evidence/checkpoint.ts';
import { centreCompleteness } from './centre-completeness.ts';
import { storedLinks } from '../centre/segments.ts';

export const CENTRE_MANIFEST_TYPE = 'counterseed-centre-export/v2';
/** A package with erased records: a node section carries their stubs (erased.json, `erased`); v3, so that an older verifier says "unknown type". */
export const CENTRE_MANIFEST_TYPE_ERASED = 'counterseed-centre-export/v3';
/** The centre's signature over centre-manifest.json's bytes, and the key that made it. */
export const CENTRE_SIGNATURE_FILE = 'centre-manifest.sig';
export const CENTRE_KEY_FILE = 'centre-key.pem';

/** What the writer needs from the centre's PostgreSQL: a pg Pool or Client (rows with bytea as Buffer). */
export interface CentreQuery { query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

export interface CentreSelection {
  readonly ip?: string;
  /** [from, to) on the record's time (UTC ms). */
  readonly from?: number;
  readonly to?: number;
  /** Node key fingerprints; default every registered node. */
  readonly nodes?: readonly string[];
}

export interface CentreNodeSection {
  readonly node: string;
  readonly label: string;
  /** The newest checkpoint the centre verified for the node; absent: nothing of the node can be proven yet (listed, with no records). */
  readonly checkpoint?: { readonly tree_size: number; readonly root: string };
  readonly records: number;
  /** Seqs of the node's records the selection's proofs need that were erased under the retention rules: stubs in erased.json. Absent when none. */
  readonly erased?: readonly number[];
  readonly files: Readonly<Record<string, string>>;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const VERIFIERS = ['verify.mjs', 'verify-centre.mjs'].map((f) => new URL(`../../verifier/${f}`, import.meta.url));

/**
 * An evidence package from the centre's PostgreSQL that spans nodes (issue 12 item 5). The centre
 * holds each node's records as the exact texts the node chained and its signed checkpoints, but
 * not the node's key: so the package does not pretend to be a node's own export. Per node,
 * nodes/<fingerprint>/ holds its registered public key, its newest checkpoint that the centre
 * verified (the node's signature), the selected records (exact texts, chain links kept), an
 * RFC 9162 inclusion proof for each against that checkpoint, and completeness.json: the proof,
 * against the key index that checkpoint signs, that no record of the selection up to it was left
 * out (centre-completeness.ts; docs/completeness.md). centre-manifest.json lists the selection, the
 * nodes (all registered nodes unless the export named some: `all_nodes`) and the SHA-256 of every
 * file; the centre signs it with its own key (centre-manifest.sig, centre-key.pem), so that a node
 * dropped from the list or a list edited is found. `node verify-centre.mjs DIR` checks it all with
 * the per-node verifier's own functions (verify.mjs, shipped beside it).
 *
 * Not proved: records a node wrote after its checkpoint (or has not shipped), and that the centre
 * listed every node it has: the list is the centre's signed word (a node it never registered is
 * not in it).
 */
export async function writeCentrePackage(db: CentreQuery, sel: CentreSelection, out: string, now: number, key: { readonly privateKey: KeyObject; readonly publicPem: string; readonly fingerprint: string }): Promise<{ nodes: CentreNodeSection[] }> {
  if (existsSync(out) && readdirSync(out).length > 0) throw new ExportError(`${out} exists and is not empty`);
  const nodes = (await db.query('SELECT id, fingerprint, label, public_key FROM centre_nodes ORDER BY fingerprint')).rows
    .filter((n) => sel.nodes === undefined || sel.nodes.includes(String(n.fingerprint)));
  if (sel.nodes !== undefined) {
    for (const f of sel.nodes) if (!nodes.some((n) => n.fingerprint === f)) throw new ExportError(`node ${f} is not registered at this centre`);
  }
  mkdirSync(join(out, 'nodes'), { recursive: true });
  const sections: CentreNodeSection[] = [];
  for (const n of nodes) {
    const fp = String(n.fingerprint);
    const cp = (await db.query(`SELECT text, signature, tree_size FROM centre_checkpoints WHERE node_id = $1 AND status = 'verified' ORDER BY tree_size DESC, text LIMIT 1`, [n.id])).rows[0];
    if (!cp) { sections.push({ node: fp, label: String(n.label), records: 0, files: {} }); continue; }
    const size = Number(cp.tree_size);
    const body = JSON.parse(String(cp.text)) as CheckpointBody;
    // The selection's records come from the node's signed key index, rebuilt and checked here, not from a column.
    const { proof, seqs } = await centreCompleteness(db, Number(n.id), fp, body, { ...(sel.ip !== undefined ? { ip: sel.ip } : {}), ...(sel.from !== undefined ? { from: sel.from } : {}), ...(sel.to !== undefined ? { to: sel.to } : {}) });
    // Records as stored (cs_centre_records: the segments' lines, pg-centre-007), over the span of the selection (seqs are sorted).
    const rows = seqs.length === 0 ? [] : (await db.query(`SELECT r.seq, r.text, e.at AS erased_record_at, e.erased_at, e.erasure FROM cs_centre_records($1, $3, $4) r
      LEFT JOIN centre_erased e ON e.node_id = r.node_id AND e.seq = r.seq WHERE r.seq = ANY($2::bigint[]) ORDER BY r.seq`, [n.id, seqs, seqs[0], seqs.at(-1)! + 1])).rows;
    if (rows.length !== seqs.length) throw new ExportError(`node ${fp}: ${seqs.length - rows.length} selected records are gone from the centre`);
    // A record erased at the centre (pg-centre-erasure-001) travels as a stub: seq, time, leaf hash, erasure; never content.
    const isErased = (r: Record<string, unknown>) => r.erasure !== null && r.erasure !== undefined && String(r.text) === '';
    const picked = rows.filter((r) => !isErased(r)).map((r) => ({ seq: Number(r.seq), text: String(r.text) }));
    const erasedRows = rows.filter(isErased);
    // Every leaf hash up to the checkpoint (32 bytes a record): the root must be the signed one, so an
    // edited stored hash fails here, and an edited text fails its own leaf in the verifier.
    // Read from the segments' hashes alone (storedLinks), not through cs_centre_records, which would split every text again.
    const leaves = await storedLinks(db, Number(n.id), 0, size);
    if (leaves.length !== size || leaves.some((r, i) => r.seq !== i)) throw new ExportError(`node ${fp}: the centre holds ${leaves.length} of the ${size} records its checkpoint covers`);
    for (const r of picked) if (!leafHashOfText(r.text).equals(leaves[r.seq]!.hash)) throw new ExportError(`node ${fp}: record ${r.seq} no longer matches its stored hash`);
    const tree = inclusionProofs(leaves.map((r) => r.hash), size, seqs);
    const stubs = erasedRows.map((r) => ({
      seq: Number(r.seq), at: Number(r.erased_record_at), hash: leaves[Number(r.seq)]!.hash.toString('hex'),
      erased: { at: Number(r.erased_at), erasure: String(r.erasure) }, path: tree.proofs.get(Number(r.seq))!.map((h) => h.toString('hex')),
    }));
    if (tree.root.toString('hex') !== body.root) throw new ExportError(`node ${fp}: the stored records no longer match the node's signed checkpoint`);
    const files: Record<string, string> = {
      'public-key.pem': String(n.public_key),
      'checkpoint.json': `${JSON.stringify({ text: String(cp.text), signature: Buffer.from(cp.signature as Uint8Array).toString('base64') }, null, 2)}\n`,
      'records.ndjson': picked.map((r) => `${r.text}\n`).join(''),
      'proofs.json': `${JSON.stringify({ tree_size: size, root: body.root, proofs: picked.map((r) => ({ seq: r.seq, path: tree.proofs.get(r.seq)!.map((h) => h.toString('hex')) })) })}\n`,
      'completeness.json': `${JSON.stringify(proof)}\n`,
      ...(stubs.length > 0 ? { 'erased.json': `${JSON.stringify({ tree_size: size, root: body.root, stubs })}\n` } : {}),
    };
    const dir = join(out, 'nodes', fp);
    mkdirSync(dir);
    const digests: Record<string, string> = {};
    for (const [name, text] of Object.entries(files)) { writeFileSync(join(dir, name), text); digests[name] = sha256(text); }
    sections.push({ node: fp, label: String(n.label), checkpoint: { tree_size: size, root: body.root }, records: picked.length, ...(stubs.length > 0 ? { erased: stubs.map((x) => x.seq) } : {}), files: digests });
  }
  const selection = { ...(sel.ip !== undefined ? { ip: sel.ip } : {}), ...(sel.from !== undefined ? { from: new Date(sel.from).toISOString() } : {}),
    ...(sel.to !== undefined ? { to: new Date(sel.to).toISOString() } : {}), ...(sel.nodes !== undefined ? { nodes: [...sel.nodes] } : {}) };
  const manifest = { type: sections.some((x) => x.erased) ? CENTRE_MANIFEST_TYPE_ERASED : CENTRE_MANIFEST_TYPE, created_at: now, centre: key.fingerprint, all_nodes: sel.nodes === undefined, selection, nodes: sections };
  const text = canonicalJson(manifest);
  writeFileSync(join(out, 'centre-manifest.json'), text);
  writeFileSync(join(out, CENTRE_KEY_FILE), key.publicPem);
  writeFileSync(join(out, CENTRE_SIGNATURE_FILE), `${sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64')}\n`);
  for (const v of VERIFIERS) copyFileSync(v, join(out, v.pathname.split('/').at(-1)!));
  return { nodes: sections };
}
