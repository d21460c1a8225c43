import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PayloadError } from '../errors.ts';

/**
 * Variants of the bundled warning videos made and checked ahead of time by
 * scripts/render-variants.ts (issue 15 item 1): a fresh machine with npm alone has no
 * ffmpeg, ffprobe, poppler or unzip, yet `npm run lab` and a first `decoys build` must work.
 *
 * assets/payloads/variants/manifest.json lists, per bundled payload (by SHA-256) and
 * format, the SHA-256 of the variant and the decoder that accepted it at render time.
 * Variants that need ffmpeg to be made (video remuxes, frames, the PDF's frame) come
 * as files beside it; the others (txt, html, zip, tar, pdf) are made by our own
 * deterministic writers on the spot and match their listed hash. A variant whose bytes
 * equal the listed hash needs no decoder here: the same bytes were decoded at render
 * time. Anything else (another text, another payload) is made and checked with the tools.
 */
export interface BundledVariant {
  readonly sha256: string;
  /** The decoder that accepted these bytes at render time, e.g. `ffprobe -count_frames (ffmpeg decoders)`. */
  readonly checkedBy: string;
  /** A file beside the manifest, for formats that need ffmpeg to be made. */
  readonly file?: string;
}

export interface BundledVariants {
  get(sourceId: string, format: string): BundledVariant | undefined;
  /** The path of a pre-rendered file, its SHA-256 checked; undefined when there is none. */
  renderedFile(sourceId: string, format: string): string | undefined;
}

/** Bounds: the manifest is small; a damaged one must give a message, not a huge allocation. */
const MAX_MANIFEST_BYTES = 256 * 1024;
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;
const FILE_NAME = /^[\w.-]{1,100}$/;

export function bundledManifestPath(): string {
  return fileURLToPath(new URL('../../../assets/payloads/variants/manifest.json', import.meta.url));
}

let defaultSet: BundledVariants | undefined;

/** The variants bundled in assets/payloads/variants (read once per process). */
export function bundledVariants(): BundledVariants {
  defaultSet ??= loadBundledVariants(bundledManifestPath());
  return defaultSet;
}

export function loadBundledVariants(manifestPath: string): BundledVariants {
  const table = parseManifest(manifestPath);
  const dir = dirname(manifestPath);
  const checked = new Set<string>();
  return {
    get: (sourceId, format) => table.get(sourceId)?.get(format),
    renderedFile(sourceId, format) {
      const v = table.get(sourceId)?.get(format);
      if (v?.file === undefined) return undefined;
      const path = join(dir, v.file);
      if (!checked.has(path)) {
        const problem = fileProblem(path, v.sha256);
        if (problem) throw new PayloadError(`the bundled ${format} variant ${path} ${problem}; restore it (git checkout -- assets/payloads/variants) or re-render it with scripts/render-variants.ts`);
        checked.add(path);
      }
      return path;
    },
  };
}

function fileProblem(path: string, sha256: string): string | undefined {
  let size: number;
  try { size = statSync(path).size; } catch { return 'is missing'; }
  if (size > MAX_FILE_BYTES) return `is ${size} bytes, more than any bundled variant`;
  const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
  return actual === sha256 ? undefined : `was modified (SHA-256 ${actual}, the manifest says ${sha256})`;
}

function parseManifest(path: string): Map<string, Map<string, BundledVariant>> {
  const bad = (m: string): never => { throw new PayloadError(`${path}: ${m}`); };
  let raw: Buffer;
  try { raw = readFileSync(path); } catch (e) { return bad(`cannot read the bundled variant manifest: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  if (raw.length > MAX_MANIFEST_BYTES) bad(`${raw.length} bytes, over the limit of ${MAX_MANIFEST_BYTES}`);
  let json: unknown;
  try { json = JSON.parse(raw.toString('utf8')); } catch (e) { return bad(`not valid JSON: ${(e as Error).message}`); }
  const obj = (v: unknown, what: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : bad(`${what} must be an object`);
  const out = new Map<string, Map<string, BundledVariant>>();
  for (const [sourceId, entry] of Object.entries(obj(obj(json, 'the manifest').payloads, 'payloads'))) {
    if (!SHA256.test(sourceId)) bad(`payload key ${sourceId} is not a SHA-256`);
    const formats = new Map<string, BundledVariant>();
    for (const [format, v] of Object.entries(obj(obj(entry, sourceId).variants, `${sourceId}.variants`))) {
      const e = obj(v, `${sourceId}.variants.${format}`);
      if (typeof e.sha256 !== 'string' || !SHA256.test(e.sha256)) bad(`${format}: sha256 must be 64 hex digits`);
      if (typeof e.checkedBy !== 'string' || e.checkedBy === '') bad(`${format}: checkedBy must name a decoder`);
      if (e.file !== undefined && (typeof e.file !== 'string' || !FILE_NAME.test(e.file))) bad(`${format}: file must be a plain file name`);
      formats.set(format, { sha256: e.sha256 as string, checkedBy: e.checkedBy as string, ...(e.file === undefined ? {} : { file: e.file as string }) });
    }
    out.set(sourceId, formats);
  }
  return out;
}
