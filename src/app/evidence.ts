import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataPurpose } from '../domain/data-purpose.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import { formatFingerprint } from '../evidence/keys.ts';
import { CheckpointLog, publishedLine } from '../evidence/checkpoint-log.ts';
import { CHECKPOINT_LOG_FILE, openEvidence, type OpenedEvidence } from '../evidence/open.ts';
import type { Selection } from '../exports/manifest.ts';
import { writeExportPackage } from '../exports/package-writer.ts';
import { toolInfo } from '../exports/tool-info.ts';
import { nodeRunsOf } from '../node/node-run.ts';
import type { LogFilter } from '../store/evidence-log.ts';
import { runOffThread } from './off-thread.ts';
import { probeOutputDir } from './paths.ts';
import type { Context } from './context.ts';

/** Runs `use` with the data directory's evidence log open, and detaches it whatever happens. */
async function withEvidence<T>(ctx: Context, opts: { create: boolean }, use: (ev: OpenedEvidence) => Promise<T> | T): Promise<T> {
  const ev = openEvidence(ctx.store, ctx.settings.dataDir, opts.create ? {} : { create: false });
  try {
    return await use(ev);
  } finally { ev.detach(); }
}

export interface NodeKeyInfo {
  /** The key was generated just now. */
  readonly created: boolean;
  /** SHA-256 of the Ed25519 public key, hex: the value to publish. */
  readonly fingerprint: string;
  /** The same, grouped for reading aloud. */
  readonly fingerprintGrouped: string;
  /** SubjectPublicKeyInfo PEM. */
  readonly publicPem: string;
}

const keyInfo = (ev: OpenedEvidence): NodeKeyInfo => ({
  created: ev.keyCreated, fingerprint: ev.key.fingerprint, fingerprintGrouped: formatFingerprint(ev.key.fingerprint), publicPem: ev.key.publicPem,
});

/** Creates the data directory's evidence log and node key (Ed25519) if missing. */
export function initEvidence(ctx: Context): Promise<NodeKeyInfo> {
  return withEvidence(ctx, { create: true }, keyInfo);
}

/** The node key of a data directory that has one (EvidenceError otherwise: run init). */
export function nodeKey(ctx: Context): Promise<NodeKeyInfo> {
  return withEvidence(ctx, { create: false }, keyInfo);
}

export interface CheckpointInfo {
  readonly treeSize: number; readonly root: string; readonly head: string;
  /** Root and size of the signed key index (checkpoint v2 and v3; absent on v1). */
  readonly index?: string | undefined; readonly indexSize?: number | undefined;
  readonly at: number; readonly node: string;
}

/** Signs a checkpoint (Merkle tree head) over every evidence record now. */
export function signCheckpoint(ctx: Context): Promise<CheckpointInfo> {
  return withEvidence(ctx, { create: false }, (ev) => {
    const cp = ev.log.checkpoint('manual');
    return { treeSize: cp.treeSize, root: cp.body.root, head: cp.body.head, index: cp.body.index, indexSize: cp.body.index_size, at: cp.body.at, node: cp.body.node };
  });
}

export interface ExportEvidenceInput {
  /** Output directory; must not exist or be empty. */
  readonly out: string;
  /** Records selected by remote IP, decoy and time (a delivery's time is its start). */
  readonly filter: Pick<LogFilter, 'ip' | 'ips' | 'decoyId' | 'from' | 'to'>;
  /**
   * A named case: with a non-empty filter it is saved under this name, alone it re-runs the saved
   * filter (NotFoundError when there is none).
   */
  readonly caseName?: string;
  /** With `caseName` and a filter: replace the filter saved under that name (without it, a different one is refused). */
  readonly replace?: boolean;
  readonly now?: () => number;
}

export interface ExportEvidenceResult {
  readonly records: number;
  readonly deliveries: number;
  readonly treeSize: number;
  /** Records erased under the retention rules that the selection's proofs go through: stubs in erased.json, without content. */
  readonly erased: number;
  readonly fingerprint: string;
  /** The data directory's purpose, also in the package's signed manifest. */
  readonly purpose: DataPurpose;
}

export interface ExportEvidenceOptions {
  /**
   * Run on a worker thread with its own connection to the data directory (off-thread.ts), so the
   * caller's event loop keeps serving: 100,000 records take the thread for tens of seconds.
   * `input.now` is not used then (a function does not cross threads).
   */
  readonly offThread?: boolean;
  /** Stops an off-thread export (terminates the worker, removes what it wrote); rejects with InterruptedError. */
  readonly signal?: AbortSignal;
}

/**
 * A verifiable evidence package: records, inclusion proofs against a signed checkpoint, CSV, CASE/UCO.
 * Streams its files to `out`; a request handler runs it with `{ offThread: true }`.
 */
export function exportEvidence(ctx: Context, input: ExportEvidenceInput, opts: ExportEvidenceOptions = {}): Promise<ExportEvidenceResult> {
  if (opts.offThread) {
    probeOutputDir(input.out);
    const out = resolve(input.out);
    const existed = existsSync(out);
    const { now: _now, ...plain } = input;
    return runOffThread<ExportEvidenceResult>(ctx.settings, { kind: 'export-evidence', input: { ...plain, out } }, {
      ...(opts.signal ? { signal: opts.signal } : {}), log: (m) => ctx.log(m),
      // probeOutputDir let the export start only in a missing or empty directory: what is there now is its own.
      afterTerminate: () => {
        if (!existed) rmSync(out, { recursive: true, force: true });
        else if (existsSync(out)) for (const f of readdirSync(out)) rmSync(join(out, f), { recursive: true, force: true });
      },
    });
  }
  const now = input.now ?? Date.now;
  probeOutputDir(input.out);
  return withEvidence(ctx, { create: false }, async (ev) => {
    let filter: LogFilter = input.filter;
    const caseName = input.caseName;
    if (caseName !== undefined) {
      if (Object.keys(filter).length > 0) {
        // A case name is never re-pointed silently.
        if (!ev.table.saveCase(caseName, JSON.stringify(filter), now(), input.replace === true)) {
          throw new InputError(`case "${caseName}" is saved with another filter (${ev.table.getCase(caseName)}): re-run it with --case ${caseName} alone, or pass --replace to change it`);
        }
      } else {
        const saved = ev.table.getCase(caseName);
        if (!saved) throw new NotFoundError(`no saved case "${caseName}" (save one with --case ${caseName} --ip IP)`);
        filter = JSON.parse(saved) as LogFilter;
      }
    }
    const selection: Selection = {
      ...(caseName !== undefined ? { case: caseName } : {}), ...(filter.ip !== undefined ? { ip: filter.ip } : {}), ...(filter.ips !== undefined ? { ips: filter.ips } : {}),
      ...(filter.decoyId !== undefined ? { decoy: filter.decoyId } : {}),
      ...(filter.from !== undefined ? { from: new Date(filter.from).toISOString() } : {}), ...(filter.to !== undefined ? { to: new Date(filter.to).toISOString() } : {}),
    };
    const r = await writeExportPackage({
      table: ev.table, log: ev.log, key: ev.key, getDecoy: (id) => ctx.store.getDecoy(id), tool: toolInfo(ctx.settings, nodeRunsOf(ctx.store)), now, published: ev.published,
    }, { filter, selection, out: resolve(input.out), purpose: ctx.purpose });
    return { records: r.records, deliveries: r.deliveries, treeSize: r.treeSize, erased: r.erased, fingerprint: ev.key.fingerprint, purpose: ctx.purpose };
  });
}

/**
 * The signed checkpoints from the data directory's checkpoint log, one line each (the newest `last`),
 * to publish or give to a witness. Reads the file only; the database is not opened.
 */
export function publishedCheckpoints(dataDir: string, last?: number): string[] {
  const all = new CheckpointLog(join(dataDir, CHECKPOINT_LOG_FILE)).all();
  return (last === undefined ? all : all.slice(-last)).map((c) => publishedLine(c).trimEnd());
}
