/**
 * The in-memory export writer as it was before streaming (commit e95885f), kept only as a reference:
 * the streaming writer must produce the same bytes for the same input. Not used by counterseed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Decoy } from '../../../src/domain/decoy.ts';
import { EvidenceError } from '../../../src/evidence/errors.ts';
import type { EvidenceLog } from '../../../src/evidence/evidence-log.ts';
import type { NodeKey } from '../../../src/evidence/keys.ts';
import { inclusionProofs } from '../../../src/evidence/inclusion-proofs.ts';
import { leafHash } from '../../../src/evidence/merkle.ts';
import type { EvidenceLogTable, LogFilter, LogRow } from '../../../src/store/sqlite/evidence-log.ts';
import { caseGraph, type ExportedRecord } from './reference-case-jsonld.ts';
import { csvLine, DELIVERY_COLUMNS, deliveryCells, type DecoyFacts, type DeliveryObs } from '../../../src/exports/csv.ts';
import { ExportError } from '../../../src/exports/errors.ts';
import { MANIFEST_TYPE, signManifest } from '../../../src/exports/manifest.ts';
import { readmeText } from '../../../src/exports/readme.ts';
import type { ToolInfo } from '../../../src/exports/tool-info.ts';

export interface ExportComponents {
  readonly table: EvidenceLogTable;
  readonly log: EvidenceLog;
  readonly key: NodeKey;
  readonly getDecoy: (id: number) => Promise<Decoy | undefined>;
  readonly tool: ToolInfo;
  readonly now: () => number;
}

export interface ExportRequest {
  readonly filter: LogFilter;
  /** How the selection was asked for, recorded in the manifest ({ ip }, { decoy }, { case, ... }). */
  readonly selection: Record<string, string | number>;
  readonly out: string;
  /** Refuse selections larger than this (proof building holds the whole tree in memory). */
  readonly maxRecords?: number;
}

export interface ExportSummary { readonly records: number; readonly deliveries: number; readonly treeSize: number; readonly files: string[] }

const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
const VERIFIER = new URL('../../../verifier/verify.mjs', import.meta.url);

/**
 * Writes an export package (see readme.ts for the layout). Every record is re-hashed on the way
 * out and the tree is recomputed against the signed checkpoint, so a database altered since
 * recording fails here instead of producing a package that fails later.
 */
export async function referenceWriteExportPackage(c: ExportComponents, req: ExportRequest): Promise<ExportSummary> {
  if (existsSync(req.out) && readdirSync(req.out).length > 0) throw new ExportError(`${req.out} exists and is not empty`);
  const max = req.maxRecords ?? 1_000_000;
  const picked = c.table.select(req.filter, max + 1);
  if (picked.length === 0) throw new ExportError(`no records match ${JSON.stringify(req.selection)}`);
  if (picked.length > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
  const clock = c.table.clockRecords(picked[0]!.seq, picked[picked.length - 1]!.seq);
  const rows = mergeBySeq(picked, clock);

  const cp = c.log.checkpoint('export');
  // One streaming pass over the log's leaf hashes: memory grows with the records exported, not the log.
  let tree: ReturnType<typeof inclusionProofs>;
  try {
    tree = inclusionProofs(c.table.hashes(0, cp.treeSize), cp.treeSize, rows.map((r) => r.seq));
  } catch (e) {
    throw new EvidenceError(`the evidence log no longer matches its signed checkpoint: ${(e as Error).message} (records were deleted)`);
  }
  if (tree.root.toString('hex') !== cp.body.root) throw new EvidenceError('the evidence log no longer matches its signed checkpoint');

  const records: ExportedRecord[] = rows.map((r) => {
    if (!leafHash(Buffer.from(r.text, 'utf8')).equals(r.hash)) throw new EvidenceError(`stored record ${r.seq} does not match its hash`);
    const j = JSON.parse(r.text) as { kind: string; at: number; obs: Record<string, unknown> };
    return { seq: r.seq, hash: r.hash.toString('hex'), kind: j.kind, at: j.at, obs: j.obs };
  });

  const decoyIds = [...new Set(records.filter((r) => r.kind === 'delivery').map((r) => (r.obs as unknown as DeliveryObs).decoyId))];
  const decoys: Decoy[] = [];
  for (const id of decoyIds) { const d = await c.getDecoy(id); if (d) decoys.push(d); }
  const facts = new Map<string, DecoyFacts & { size: number }>(decoys.map((d) => [d.infoHash, { name: d.name, contentSha256: d.contentSha256, size: d.size }]));

  const createdAt = c.now();
  const files: Record<string, string | Uint8Array> = {};
  files['records.ndjson'] = rows.map((r) => `${r.text}\n`).join('');
  files['proofs.json'] = `${JSON.stringify({
    tree_size: cp.treeSize, root: cp.body.root,
    proofs: rows.map((r) => ({ seq: r.seq, path: tree.proofs.get(r.seq)!.map((h) => h.toString('hex')) })),
  }, null, 1)}\n`;
  files['checkpoint.json'] = `${JSON.stringify({ text: cp.text, signature: cp.signature }, null, 2)}\n`;
  files['public-key.pem'] = c.key.publicPem;
  let csv = csvLine(DELIVERY_COLUMNS);
  let deliveries = 0;
  for (const r of records) {
    if (r.kind !== 'delivery') continue;
    const d = r.obs as unknown as DeliveryObs;
    csv += csvLine(deliveryCells(r.seq, r.hash, d, facts.get(d.infoHash)));
    deliveries++;
  }
  files['deliveries.csv'] = csv;
  files['decoys.json'] = `${JSON.stringify(decoys.map((d) => ({
    id: d.id, info_hash: d.infoHash, name: d.name, size: d.size, content_sha256: d.contentSha256, info_base64: Buffer.from(d.info).toString('base64'),
  })), null, 2)}\n`;
  files['case.jsonld'] = `${JSON.stringify(caseGraph({ node: c.key.fingerprint, toolVersion: c.tool.version, records, decoys: facts, exportedAt: createdAt }), null, 1)}\n`;
  files['tool.json'] = `${JSON.stringify(c.tool, null, 2)}\n`;
  files['README.txt'] = readmeText({
    node: c.key.fingerprint, records: rows.length, deliveries, treeSize: cp.treeSize, selection: JSON.stringify(req.selection), createdAt,
  });
  if (existsSync(VERIFIER)) files['verify.mjs'] = readFileSync(VERIFIER);

  const manifest = signManifest({
    type: MANIFEST_TYPE, node: c.key.fingerprint, created_at: createdAt,
    tool: { name: c.tool.name, version: c.tool.version, config_sha256: c.tool.config_sha256 },
    selection: req.selection, checkpoint: { tree_size: cp.treeSize, root: cp.body.root },
    records: rows.map((r) => r.seq), deliveries,
    files: Object.fromEntries(Object.entries(files).map(([n, b]) => [n, sha256(b)])),
  }, c.key.privateKey);

  mkdirSync(req.out, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(req.out, name), body);
  writeFileSync(join(req.out, 'manifest.json'), manifest.text);
  writeFileSync(join(req.out, 'manifest.sig'), `${manifest.signature}\n`);
  return { records: rows.length, deliveries, treeSize: cp.treeSize, files: [...Object.keys(files), 'manifest.json', 'manifest.sig'] };
}

function mergeBySeq(a: readonly LogRow[], b: readonly LogRow[]): LogRow[] {
  const m = new Map<number, LogRow>();
  for (const r of [...a, ...b]) m.set(r.seq, r);
  return [...m.values()].sort((x, y) => x.seq - y.seq);
}
