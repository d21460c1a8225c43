import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { checkOutputFile } from './paths.ts';
import { hashDecoys, hashesCsv, hashesVics, type DecoyFileSource } from '../exports/decoy-hashes.ts';
import { PAD_FORMAT } from '../decoy/v2-hashes.ts';
import { VirtualPieceSource } from '../decoy/virtual-source.ts';
import { toolInfo } from '../exports/tool-info.ts';
import type { Context } from './context.ts';
import { runOffThread } from './off-thread.ts';
import type { Progress } from './decoys.ts';

function writeAtomically(path: string, text: string): void {
  try {
    writeFileSync(`${path}.part`, text);
    renameSync(`${path}.part`, path);
  } catch (e) {
    rmSync(`${path}.part`, { force: true });
    throw e;
  }
}

/**
 * The files of a folder (multi-file) decoy, each with its own content source, pad files (BEP 47)
 * left out; undefined for a single-file decoy.
 */
export function folderFiles(ctx: Context, decoyId: number): DecoyFileSource[] | undefined {
  const files = ctx.decoyFiles.files(decoyId);
  if (!files?.some((f) => f.path !== undefined)) return undefined;
  return files.filter((f) => f.format !== PAD_FORMAT).map((f) => ({
    path: f.path ?? [],
    source: new VirtualPieceSource([{ layout: ctx.variants.layout(f.variantId, f.format), size: f.size, nonce: f.nonce }]),
    mediaType: ctx.payloads.get(f.variantId).mediaType,
  }));
}

/** FILE.csv -> FILE.vics.json; anything else gets .vics.json appended. */
export const vicsPath = (csv: string) => csv.replace(/\.csv$/i, '') + '.vics.json';

export interface HashListResult { readonly decoys: number; readonly distinctContents: number; readonly csv: string; readonly vics: string }

/** Every decoy's content MD5, SHA-1, SHA-256, size and name, as CSV at `out` and Project VIC VICS JSON beside it. */
/** Stops between decoys or reads when `signal` aborts (rejecting with its reason); nothing is written then. */
export async function writeHashList(ctx: Context, input: { readonly out: string; readonly signal?: AbortSignal; readonly onProgress?: Progress }, opts: { readonly offThread?: boolean } = {}): Promise<HashListResult> {
  // Hours of hashing at campaign scale: a request handler runs it on a worker thread (off-thread.ts),
  // which stops at the signal and reports progress as the inline run does.
  if (opts.offThread) {
    return runOffThread<HashListResult>(ctx.settings, { kind: 'hash-list', input: { out: input.out } }, {
      ...(input.signal ? { signal: input.signal } : {}), ...(input.onProgress ? { onProgress: input.onProgress } : {}), log: (m) => ctx.log(m),
    });
  }
  // Checked before hours of hashing, not at the rename after them.
  checkOutputFile(input.out);
  checkOutputFile(vicsPath(input.out));
  const decoys = await ctx.store.listDecoys();
  const rows = await hashDecoys(decoys, (d) => ctx.sourceFor(d), {
    ...(input.signal ? { signal: input.signal } : {}), ...(input.onProgress ? { onProgress: input.onProgress } : {}), filesOf: (d) => folderFiles(ctx, d.id),
  });
  const mediaType = new Map(decoys.map((d) => [d.id, ctx.payloads.get(d.payloadId).mediaType]));
  // Written beside and renamed into place: an interrupted or failed run leaves no half-written list.
  writeAtomically(input.out, hashesCsv(rows));
  writeAtomically(vicsPath(input.out), `${JSON.stringify(hashesVics(rows, { version: toolInfo({}).version, mimeType: (r) => r.mediaType ?? mediaType.get(r.id) ?? 'application/octet-stream' }), null, 2)}\n`);
  return { decoys: rows.length, distinctContents: new Set(rows.map((r) => r.sha256)).size, csv: input.out, vics: vicsPath(input.out) };
}
