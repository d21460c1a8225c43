import { setImmediate } from 'node:timers/promises';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buildTorrentFile, magnetLink, parseNameList, type NameRow } from '../decoy/index.ts';
import { presentedTorrentFields } from '../decoy/torrent-presentation.ts';
import { seededPadding } from '../payload/variants/padding-bytes.ts';
import type { DecoySpec } from '../decoy/factory.ts';
import { buildEachSlice } from '../decoy/build-in-slices.ts';
import { extensionIssues, fileResolver } from '../decoy/file-resolver.ts';
import { NameListError } from '../decoy/errors.ts';
import { readListFile } from '../decoy/list-file.ts';
import { splitCsvLine } from '../decoy/csv-line.ts';
import { parseCampaignCsv } from '../campaign/campaign-csv.ts';
import { decoyPieceLayers, PAD_FORMAT } from '../decoy/v2-hashes.ts';
import type { Decoy, DecoyStatus } from '../domain/decoy.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { Payload } from '../domain/payload.ts';
import { defaultPayloadPath } from '../payload/index.ts';
import { transcriptBeside } from '../payload/variants/variant-registry.ts';
import type { Context } from './context.ts';
import { InterruptedError } from './errors.ts';
import { checkOutputFile, makeDir } from './paths.ts';

export type Progress = (done: number, total: number) => void;

/** A row of a name list: one decoy; a campaign CSV's folder rows make one multi-file decoy (`files`). */
export interface DecoyListRow extends NameRow {
  /** The files of a folder decoy (BEP 3 multi-file), each with its path inside the folder. */
  readonly files?: readonly { readonly name: string; readonly size: number | null; readonly path: readonly string[] }[];
}

/** A campaign CSV: its header names the language column, or a row has more than name,size. */
const CAMPAIGN_HEADER = /^\s*name\s*,\s*size\s*,\s*lang/i;
function isCampaignCsv(text: string): boolean {
  const first = text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (first === undefined) return false;
  if (CAMPAIGN_HEADER.test(first)) return true;
  const parsed = splitCsvLine(first);
  return !('error' in parsed) && parsed.fields.length > 2;
}

/**
 * Reads and checks an operator's name list before any data directory is opened: a bad list touches
 * nothing. Every bad row is reported with its line. Either the build list (one name per line, or
 * CSV name[,size]) or the campaign CSV (name,size,language,folder: issue 15 item 12, the two were
 * incompatible); rows with the same folder make one multi-file decoy. A language column is a
 * campaign's choice of warning video: decoys build takes one payload (--payload), so it refuses one.
 */
export function readNameList(file: string): DecoyListRow[] {
  const text = readListFile(file);
  if (isCampaignCsv(text)) {
    const items = parseCampaignCsv(text);
    const withLang = items.filter((i) => i.lang !== null);
    if (withLang.length > 0) {
      throw new NameListError(withLang.map((i) => ({ line: i.seq, message: `language "${i.lang}": decoys build uses one payload (--payload ID); per-language warnings are for counterseed campaign create` })));
    }
    const rows: DecoyListRow[] = items.map((i) => (i.files.length === 1 && i.files[0]!.path === null
      ? { line: i.seq, name: i.name, size: i.files[0]!.size }
      : { line: i.seq, name: i.name, size: null, files: i.files.map((f) => ({ name: f.name, size: f.size, path: f.path ?? [f.name] })) }));
    const badExtensions = extensionIssues(rows.flatMap((r) => (r.files ? r.files.map((f) => ({ line: r.line, name: f.name })) : [r])));
    if (badExtensions.length > 0) throw new NameListError(badExtensions);
    return rows;
  }
  const rows = parseNameList(text);
  const badExtensions = extensionIssues(rows);
  if (badExtensions.length > 0) throw new NameListError(badExtensions);
  return rows;
}

export interface BuildDecoysInput {
  /** The operator's checked name list (readNameList). */
  readonly rows: readonly DecoyListRow[];
  /** Registered payload id; the first registered payload (the built-in warning video) when absent. */
  readonly payloadId?: string;
  readonly onProgress?: Progress;
  /** Stops the build before anything is stored; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * 'refuse': names an active decoy already carries are bad input, nothing is built (issue 15 item 9:
   * the same list built twice gave every name twice, silently). Absent: allowed (a new decoy, another infohash).
   */
  readonly existingNames?: 'refuse' | 'allow';
}

export interface BuildDecoysResult { readonly built: number; readonly payload: Payload }

/** One unique decoy per name; format by extension, exact size if given; all or nothing. */
export async function buildDecoys(ctx: Context, input: BuildDecoysInput): Promise<BuildDecoysResult> {
  const payloadId = input.payloadId ?? ctx.payloads.list()[0]?.id;
  if (!payloadId) throw new InputError('no payload registered');
  const payload = ctx.payloads.get(payloadId);
  if (input.existingNames === 'refuse') {
    const taken = ctx.decoyFiles.activeNamesAmong(input.rows.map((r) => r.name));
    if (taken.size > 0) {
      const shown = [...taken].slice(0, 5).map((n) => `"${n}"`).join(', ');
      throw new InputError(`${taken.size} name(s) of the list are already active decoys (${shown}${taken.size > 5 ? ', …' : ''}): was this list built before? Nothing was built; --again builds them as new decoys`);
    }
  }
  const textPath = transcriptBeside(defaultPayloadPath());
  // New variants are registered with the decoys, in one transaction, or not at all (issue 15 item 7).
  const variants = ctx.variants.batch();
  const p = ctx.presentation;
  const resolve = fileResolver(variants, { ...(textPath ? { textPath } : {}), ...(p.padding === 'seed' ? { padding: seededPadding(p.choiceKey) } : {}) });
  const specs: DecoySpec[] = input.rows.map((r) => ({
    line: r.line, name: r.name,
    files: r.files ? r.files.map((f) => ({ size: f.size, ...resolve(f.name, payload.id), path: [...f.path] })) : [{ size: r.size, ...resolve(r.name, payload.id) }],
  }));
  // In slices between event-loop turns, so a signal stops a build of thousands of names (issue 15 item 4),
  // each slice stored as it is built in one transaction, so memory does not grow with the list (item 13).
  const sizeTaken = ctx.decoyFiles.sizeTaken();
  const batch = ctx.decoyFiles.begin(Date.now(), () => variants.commit());
  try {
    await buildEachSlice(specs, {
      hasher: ctx.hasher, sizeTaken, pieceSize: p.torrent.pieceSize,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}), ...(input.signal ? { signal: input.signal } : {}),
    }, (built) => { batch.add(built); });
    return { built: batch.commit(), payload };
  } finally { batch.rollback(); }
}

/** Decoys without their info dicts (those are served, not listed). */
export type DecoySummary = Omit<Decoy, 'info'> & {
  /**
   * A folder (multi-file) decoy's files: path inside the torrent and size, pad files (BEP 47) left
   * out (issue 15 item 12: only the folder's name was shown). Absent for a single-file decoy.
   */
  readonly files?: readonly { readonly path: readonly string[]; readonly size: number }[];
};

export async function listDecoys(ctx: Context, filter: { readonly status?: DecoyStatus } = {}): Promise<DecoySummary[]> {
  const list = await ctx.store.listDecoys(filter.status ? { status: filter.status } : {});
  return list.map(({ info: _info, ...d }) => {
    const files = ctx.decoyFiles.files(d.id);
    if (!files?.some((f) => f.path !== undefined)) return d;
    return { ...d, files: files.filter((f) => f.format !== PAD_FORMAT).map((f) => ({ path: f.path ?? [], size: f.size })) };
  });
}

export interface ExportDecoysInput {
  readonly dir: string;
  readonly trackers: readonly string[];
  /** x.pe peer hints for magnets (BEP 9), HOST:PORT. */
  readonly peers: readonly string[];
}

/** Decoys read per page by exportDecoys: a page of ~8 KB .torrent files is a few MB (issue 15 item 13). */
const EXPORT_PAGE = 500;

/**
 * Writes DIR/<infohash>.torrent for every active decoy and DIR/magnets.txt, a page of decoys at a
 * time: memory stays that of one page whatever the number of decoys (holding all 100,000 peaked at
 * 1.45 GB). magnets.txt is written to magnets.txt.part and renamed when complete.
 */
export async function exportDecoys(ctx: Context, input: ExportDecoysInput): Promise<{ readonly written: number }> {
  makeDir(input.dir);
  const trackers = [...input.trackers];
  const magnetsFile = join(input.dir, 'magnets.txt');
  const fd = openSync(`${magnetsFile}.part`, 'w', 0o644);
  let written = 0;
  try {
    try {
      for (let afterId = 0; ;) {
        const page = await ctx.store.listDecoys({ status: 'active', afterId, limit: EXPORT_PAGE });
        if (page.length === 0) break;
        let magnets = '';
        for (const d of page) {
          // Hybrid (BEP 52) decoys carry `piece layers` next to the info dict, recomputed from their virtual bytes.
          const pieceLayers = decoyPieceLayers(d, ctx.sourceFor(d));
          writeFileSync(join(input.dir, `${d.infoHash}.torrent`), buildTorrentFile({ info: d.info, announce: trackers, ...presentedTorrentFields(ctx.presentation.torrent, ctx.presentation.choiceKey, d), ...(pieceLayers ? { pieceLayers } : {}) }));
          magnets += `${magnetLink({ infoHash: d.infoHash, name: d.name, size: d.size, trackers, peers: [...input.peers] })}\n`;
        }
        writeSync(fd, magnets);
        written += page.length;
        afterId = page[page.length - 1]!.id;
      }
    } finally { closeSync(fd); }
    renameSync(`${magnetsFile}.part`, magnetsFile);
  } catch (e) {
    rmSync(`${magnetsFile}.part`, { force: true });
    throw e;
  }
  return { written };
}

/** Bytes written per write(2) when materialising a decoy. */
const WRITE_CHUNK = 4 * 1024 * 1024;

export interface WriteDecoyInput {
  readonly id: number;
  /** Output file; written to `${out}.part`, then renamed. */
  readonly out: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: Progress;
}

/** Materialises one decoy's content (for examiners); its SHA-256 must equal the record's. */
export async function writeDecoy(ctx: Context, input: WriteDecoyInput): Promise<{ readonly sha256: string; readonly decoy: Decoy }> {
  const decoy = await ctx.store.getDecoy(input.id);
  if (!decoy) throw new NotFoundError(`no decoy with id ${input.id}`);
  checkOutputFile(input.out);
  const src = ctx.sourceFor(decoy);
  const tmp = `${input.out}.part`;
  const fd = openSync(tmp, 'w', 0o644);
  const sha = createHash('sha256');
  // Nothing half-written: any failure (interrupted, disk full, a wrong hash) removes the .part file.
  try {
    try {
      for (let o = 0; o < src.length; o += WRITE_CHUNK) {
        // A turn of the event loop per chunk, so SIGINT/SIGTERM is heard: the loop was synchronous,
        // and `decoys write` of a large decoy ran to the end whatever the signal (issue 15 item 4).
        if (input.signal) await setImmediate();
        if (input.signal?.aborted) throw new InterruptedError();
        const chunk = src.read(o, Math.min(WRITE_CHUNK, src.length - o));
        sha.update(chunk);
        for (let w = 0; w < chunk.length;) w += writeSync(fd, chunk, w, chunk.length - w);
        input.onProgress?.(Math.min(src.length, o + WRITE_CHUNK), src.length);
      }
      fsyncSync(fd);
    } finally { closeSync(fd); }
    const digest = sha.digest('hex');
    if (digest !== decoy.contentSha256) throw new Error(`decoy ${decoy.id}: written bytes hash to ${digest}, the record says ${decoy.contentSha256}`);
    renameSync(tmp, input.out);
    return { sha256: digest, decoy };
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
