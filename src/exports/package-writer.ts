import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataPurpose } from '../domain/data-purpose.ts';
import type { Decoy } from '../domain/decoy.ts';
import { EvidenceError } from '../evidence/errors.ts';
import type { EvidenceLog } from '../evidence/evidence-log.ts';
import type { NodeKey } from '../evidence/keys.ts';
import { inclusionProofs } from '../evidence/inclusion-proofs.ts';
import type { CheckpointLog } from '../evidence/checkpoint-log.ts';
import { consistencyNeeds, consistencyProof, verifyConsistency } from '../evidence/consistency.ts';
import { selectRecords } from './selection.ts';
import { deriveOrStub, isStub, type ErasedStub } from './erased-stubs.ts';
import { leafHash } from '../evidence/merkle.ts';
import type { EvidenceLogTables, LogFilter, LogLink, LogRow } from '../store/evidence-log.ts';
import { CaseGraphBuilder, indented, JSONLD_HEAD, JSONLD_SEP, JSONLD_TAIL, jsonLdNode, type ExportedRecord } from './case-jsonld.ts';
import { csvLine, DELIVERY_COLUMNS, deliveryCells, type DecoyFacts, type DeliveryObs } from './csv.ts';
import { ExportError } from './errors.ts';
import { HashedFile } from './hashed-file.ts';
import { MANIFEST_TYPE, MANIFEST_TYPE_ERASED, signManifest, type Selection } from './manifest.ts';
import { readmeText } from './readme.ts';
import { toolJson, type ToolInfo } from './tool-info.ts';

export interface ExportComponents {
  readonly table: EvidenceLogTables;
  readonly log: EvidenceLog;
  readonly key: NodeKey;
  readonly getDecoy: (id: number) => Promise<Decoy | undefined>;
  readonly tool: ToolInfo;
  readonly now: () => number;
  /** The checkpoint log file: the package proves the log consistent with every checkpoint in it (consistency.json). */
  readonly published?: CheckpointLog;
}

export interface ExportRequest {
  readonly filter: LogFilter;
  /** How the selection was asked for, recorded in the manifest ({ ip }, { decoy }, { case, ... }). */
  readonly selection: Selection;
  readonly out: string;
  /**
   * The data directory's purpose, in the signed manifest: a lab package can never pass as evidence.
   * Every caller with a Context passes ctx.purpose (app/evidence.ts); 'evidence' when absent (tests, benchmarks).
   */
  readonly purpose?: DataPurpose;
  /** Refuse selections larger than this (default 1,000,000: the verifier keeps ~100 bytes per record). */
  readonly maxRecords?: number;
}

export interface ExportSummary {
  readonly records: number; readonly deliveries: number; readonly treeSize: number; readonly files: string[];
  /** Records the selection's proofs needed that were erased under the retention rules: in erased.json as stubs, without content. */
  readonly erased: number;
}

/** Records derived (texts held) at a time in each pass. */
const DERIVE_CHUNK = 2000;

const VERIFIER = new URL('../../verifier/verify.mjs', import.meta.url);

/** The files of a package, in the order the manifest and the summary list them (manifest.json and manifest.sig follow). */
const FILE_ORDER = ['records.ndjson', 'proofs.json', 'erased.json', 'completeness.json', 'consistency.json', 'checkpoint.json', 'public-key.pem', 'deliveries.csv', 'decoys.json', 'case.jsonld', 'tool.json', 'README.txt', 'verify.mjs'] as const;

interface ParsedRecord { readonly kind: string; readonly at: number; readonly obs: Record<string, unknown> }

/**
 * Writes an export package (see readme.ts for the layout). Every record is re-hashed on the way
 * out and the tree is recomputed against the signed checkpoint, so a database altered since
 * recording fails here instead of producing a package that fails later.
 *
 * The files are streamed: records are checked in a first pass (which also finds the decoys and
 * counts the deliveries) and written in a second, each record going to records.ndjson,
 * proofs.json, deliveries.csv and case.jsonld in turn, each file hashed as it is written. Beyond
 * the selected rows and their proofs, memory stays flat with the number of records.
 */
export async function writeExportPackage(c: ExportComponents, req: ExportRequest): Promise<ExportSummary> {
  if (existsSync(req.out) && readdirSync(req.out).length > 0) throw new ExportError(`${req.out} exists and is not empty`);
  const max = req.maxRecords ?? 1_000_000;
  // The audit runs first (EvidenceLog.checkpoint): everything up to the checkpoint is chained, indexed and signed.
  const cp = c.log.checkpoint('export');
  const { links: picked, completeness } = selectRecords(c.table, cp.body, req.filter, JSON.stringify(req.selection), max);
  // Links only (seq, row, hash): the texts are derived a chunk at a time in each pass below.
  const links = picked.length === 0 ? [] : mergeBySeq(picked, c.table.clockLinks(picked[0]!.seq, picked[picked.length - 1]!.seq));
  picked.length = 0;
  const rowsOf = function* (of: readonly LogLink[]): Generator<LogRow> {
    for (let i = 0; i < of.length; i += DERIVE_CHUNK) yield* c.table.derive(of.slice(i, i + DERIVE_CHUNK));
  };

  // Earlier published checkpoints this one must extend (RFC 9162 consistency), from the checkpoint log file.
  const earlier = new Map<string, { text: string; signature: string; size: number; root: string; at: number }>();
  for (const p of c.published?.forPackage(cp.treeSize) ?? []) {
    if (p.body.node === c.key.fingerprint) {
      earlier.set(p.text, { text: p.text, signature: p.signature, size: p.body.tree_size, root: p.body.root, at: p.body.at });
    }
  }
  const needs = [...earlier.values()].map((p) => consistencyNeeds(p.size));
  // One streaming pass over the log's leaf hashes: memory grows with the records exported, not the log.
  let tree: ReturnType<typeof inclusionProofs>;
  try {
    tree = inclusionProofs(c.table.hashes(0, cp.treeSize), cp.treeSize, [...new Set([...links.map((l) => l.seq), ...needs.map((x) => x.leaf)])], needs.map((x) => x.node));
  } catch (e) {
    throw new EvidenceError(`the evidence log no longer matches its signed checkpoint: ${(e as Error).message} (records were deleted)`);
  }
  if (tree.root.toString('hex') !== cp.body.root) throw new EvidenceError('the evidence log no longer matches its signed checkpoint');
  const consistency = [...earlier.values()].map((p) => {
    const path = consistencyProof(tree, p.size, cp.treeSize);
    if (!verifyConsistency(p.size, cp.treeSize, path, Buffer.from(p.root, 'hex'), tree.root)) {
      throw new EvidenceError(`the log is not consistent with the checkpoint published at ${new Date(p.at).toISOString()} (tree of ${p.size} records): it was rewritten`);
    }
    return { checkpoint: { text: p.text, signature: p.signature }, path: path.map((h) => h.toString('hex')) };
  });

  // Pass 1: every record against its hash; the decoys its deliveries name (in order of first mention).
  // A record erased under the retention rules becomes a stub (erased-stubs.ts): its proofs go through
  // its seq, time and hash; its content is gone. Only a completeness proof can need one (a time window
  // or a key holding an erased record); clock and loss records are never erased.
  let deliveries = 0;
  const decoyIds = new Set<number>();
  const stubs: ErasedStub[] = [];
  for (let k = 0; k < links.length; k += DERIVE_CHUNK) for (const r of deriveOrStub(c.table, links.slice(k, k + DERIVE_CHUNK))) {
    if (isStub(r)) {
      if (!completeness) throw new EvidenceError(`record ${r.seq} was erased on ${new Date(r.erased.at).toISOString()} (${r.erased.erasure}) and this selection has no completeness proof to carry it as erased`);
      stubs.push(r);
      continue;
    }
    if (!leafHash(Buffer.from(r.text, 'utf8')).equals(r.hash)) throw new EvidenceError(`stored record ${r.seq} does not match its hash`);
    const j = JSON.parse(r.text) as ParsedRecord;
    if (j.kind !== 'delivery') continue;
    deliveries++;
    decoyIds.add((j.obs as unknown as DeliveryObs).decoyId);
  }
  const decoys: Decoy[] = [];
  for (const id of decoyIds) { const d = await c.getDecoy(id); if (d) decoys.push(d); }
  const facts = new Map<string, DecoyFacts & { size: number }>(decoys.map((d) => [d.infoHash, { name: d.name, contentSha256: d.contentSha256, size: d.size }]));
  const createdAt = c.now();
  const erasedSeqs = new Set(stubs.map((s) => s.seq));
  const live = stubs.length === 0 ? links : links.filter((l) => !erasedSeqs.has(l.seq));
  const seqs = live.map((r) => r.seq);

  // Pass 2: the files.
  const createdDir = !existsSync(req.out);
  mkdirSync(req.out, { recursive: true });
  const open: HashedFile[] = [];
  const file = (name: string) => { const f = new HashedFile(join(req.out, name)); open.push(f); return f; };
  const hashes = new Map<string, string>();
  const whole = (name: string, body: string | Uint8Array) => { const f = file(name); f.write(body); hashes.set(name, f.close()); };
  try {
    const ndjson = file('records.ndjson');
    const proofs = file('proofs.json');
    const csv = file('deliveries.csv');
    const jsonld = file('case.jsonld');
    proofs.write(`{\n "tree_size": ${JSON.stringify(cp.treeSize)},\n "root": ${JSON.stringify(cp.body.root)},\n "proofs": [\n`);
    csv.write(csvLine(DELIVERY_COLUMNS));
    jsonld.write(JSONLD_HEAD);
    let nodes = 0;
    const graph = new CaseGraphBuilder({ node: c.key.fingerprint, toolVersion: c.tool.version, decoys: facts, exportedAt: createdAt }, (node) => {
      jsonld.write(nodes++ === 0 ? jsonLdNode(node) : JSONLD_SEP + jsonLdNode(node));
    });
    let i = 0;
    for (const r of rowsOf(live)) {
      ndjson.write(`${r.text}\n`);
      const path = tree.proofs.get(r.seq)!;
      proofs.write((i === 0 ? '' : ',\n') + indented({ seq: r.seq, path: path.map((h) => h.toString('hex')) }, 2));
      const j = JSON.parse(r.text) as ParsedRecord;
      const rec: ExportedRecord = { seq: r.seq, hash: r.hash.toString('hex'), kind: j.kind, at: j.at, obs: j.obs };
      if (rec.kind === 'delivery') {
        const d = rec.obs as unknown as DeliveryObs;
        csv.write(csvLine(deliveryCells(rec.seq, rec.hash, d, facts.get(d.infoHash))));
      }
      graph.record(rec);
      i++;
    }
    proofs.write('\n ]\n}\n');
    jsonld.write(JSONLD_TAIL);
    for (const [name, f] of [['records.ndjson', ndjson], ['proofs.json', proofs], ['deliveries.csv', csv], ['case.jsonld', jsonld]] as const) hashes.set(name, f.close());
    if (stubs.length > 0) {
      whole('erased.json', `${JSON.stringify({ tree_size: cp.treeSize, root: cp.body.root, stubs: stubs.map((s) => ({ ...s, path: tree.proofs.get(s.seq)!.map((h) => h.toString('hex')) })) }, null, 1)}\n`);
    }
    if (completeness) whole('completeness.json', `${JSON.stringify(completeness, null, 1)}\n`);
    if (c.published) whole('consistency.json', `${JSON.stringify({ tree_size: cp.treeSize, root: cp.body.root, proofs: consistency }, null, 1)}\n`);
    whole('checkpoint.json', `${JSON.stringify({ text: cp.text, signature: cp.signature }, null, 2)}\n`);
    whole('public-key.pem', c.key.publicPem);
    whole('decoys.json', `${JSON.stringify(decoys.map((d) => ({
      id: d.id, info_hash: d.infoHash, name: d.name, size: d.size, content_sha256: d.contentSha256, info_base64: Buffer.from(d.info).toString('base64'),
    })), null, 2)}\n`);
    whole('tool.json', toolJson(c.tool, seqs));
    whole('README.txt', readmeText({
      node: c.key.fingerprint, records: live.length, erased: stubs.length, deliveries, treeSize: cp.treeSize, selection: JSON.stringify(req.selection), createdAt,
      completeness: completeness === undefined ? undefined : completeness.key ?? (completeness.ips ? `${completeness.ips.length} addresses` : 'time window'), published: c.published ? consistency.length : undefined, purpose: req.purpose ?? 'evidence',
    }));
    if (existsSync(VERIFIER)) whole('verify.mjs', readFileSync(VERIFIER));

    const names = FILE_ORDER.filter((n) => hashes.has(n));
    const manifest = signManifest({
      type: stubs.length > 0 ? MANIFEST_TYPE_ERASED : MANIFEST_TYPE, node: c.key.fingerprint, purpose: req.purpose ?? 'evidence', created_at: createdAt,
      tool: { name: c.tool.name, version: c.tool.version, config_sha256: c.tool.config_sha256 },
      selection: req.selection, checkpoint: { tree_size: cp.treeSize, root: cp.body.root },
      records: seqs, ...(stubs.length > 0 ? { erased: stubs.map((s) => s.seq) } : {}), deliveries,
      files: Object.fromEntries(names.map((n) => [n, hashes.get(n)!])),
    }, c.key.privateKey);
    writeFileSync(join(req.out, 'manifest.json'), manifest.text, { flag: 'wx' });
    writeFileSync(join(req.out, 'manifest.sig'), `${manifest.signature}\n`, { flag: 'wx' });
    return { records: live.length, deliveries, treeSize: cp.treeSize, files: [...names, 'manifest.json', 'manifest.sig'], erased: stubs.length };
  } catch (e) {
    // No half-written package: remove what this export created.
    for (const f of open) { f.abandon(); rmSync(f.path, { force: true }); }
    for (const n of ['manifest.json', 'manifest.sig']) rmSync(join(req.out, n), { force: true });
    if (createdDir) rmSync(req.out, { recursive: true, force: true });
    throw e;
  }
}

function mergeBySeq(a: readonly LogLink[], b: readonly LogLink[]): LogLink[] {
  const m = new Map<number, LogLink>();
  for (const r of [...a, ...b]) m.set(r.seq, r);
  return [...m.values()].sort((x, y) => x.seq - y.seq);
}
