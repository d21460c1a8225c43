import { randomBytes } from 'node:crypto';
import { infoHashToHex } from '../domain/info-hash.ts';
import type { PieceSizePolicy } from '../domain/presentation.ts';
import { minSize, NONCE_BYTES, PAD_LAYOUT, type PaddingLayout } from '../payload/variants/layout.ts';
import { DecoyHasher, MAX_DECOY_SIZE } from './decoy-hasher.ts';
import { NameListError, type NameListIssue } from './errors.ts';
import { buildInfo } from './metainfo.ts';
import { buildMultiInfo } from './metainfo-multi.ts';
import { buildHybridInfo } from './metainfo-hybrid.ts';
import { PAD_FORMAT, v2FileHashes } from './v2-hashes.ts';
import { choosePieceLength } from './piece-length.ts';
import type { DecoyFile } from './virtual-source.ts';

/** Spread of sizes for rows without one: each such decoy gets its own size in [min, min + 1 MiB). */
export const UNSIZED_SPREAD = 1024 * 1024;
const MAX_SIZE_DRAWS = 64;

export interface FileSpec {
  /** Path inside the folder; absent for a single-file decoy. */
  readonly path?: readonly string[];
  /** Requested exact size (size mimicry), or null for "payload-sized, unique". */
  readonly size: number | null;
  /** The registered variant this file carries, and its layout. */
  readonly variantId: string;
  readonly layout: PaddingLayout;
}

export interface DecoySpec {
  /** Line in the operator's list, for messages. */
  readonly line: number;
  /** info.name: the file name, or the folder name of a multi-file decoy. */
  readonly name: string;
  readonly files: readonly FileSpec[];
  /** Hybrid v1+v2 torrent (BEP 52, with BEP 47 pad files); v1 only when absent. */
  readonly hybrid?: boolean;
}

/** What must be stored per decoy to recompute its bytes: O(metadata). */
// What the factory builds is what the store keeps (store/decoy-files.ts).
import type { BuiltDecoy, StoredFile } from '../store/decoy-files.ts';

export type { BuiltDecoy, StoredFile };

export interface FactoryOptions {
  /** Shared across batches: caches hashes over heads and fills. */
  readonly hasher?: DecoyHasher;
  /** Per-file nonce source; tests pass a deterministic one. */
  readonly nonce?: () => Uint8Array;
  /** Sizes already used by existing decoys, so unsized rows stay unique across batches. */
  readonly sizeTaken?: (size: number, variantId: string) => boolean;
  /** Called after each decoy, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
  /** How piece length follows size (issue 10 item 3: a torrent creator's rule, not ours); pieces-2000 when absent. */
  readonly pieceSize?: PieceSizePolicy;
}

/**
 * The decoy factory (issue 3 §3-§5): each spec becomes a decoy whose content is its
 * files' variants padded to their sizes with a per-file random nonce, so every decoy
 * has its own content SHA-256, infohash and (unless requested) size. Nothing is
 * materialised: hashes come from DecoyHasher. All or nothing: every bad row is
 * reported with its line number. Results are in spec order.
 */
export function buildVirtualDecoys(specs: readonly DecoySpec[], opts: FactoryOptions = {}): BuiltDecoy[] {
  const hasher = opts.hasher ?? new DecoyHasher();
  const nonce = opts.nonce ?? (() => new Uint8Array(randomBytes(NONCE_BYTES)));
  const issues: NameListIssue[] = [];
  const used = new Set<number>();
  const variantOf = new Map<DecoyFile, string>();
  const resolved: DecoyFile[][] = specs.map((s) => {
    const files: DecoyFile[] = [];
    for (const f of s.files) {
      const min = minSize(f.layout);
      let size = f.size;
      if (size !== null && size < min) { issues.push({ line: s.line, message: `size ${size} is below the ${f.layout.format} payload's ${min} bytes` }); continue; }
      if (size !== null && size > MAX_DECOY_SIZE) { issues.push({ line: s.line, message: `size ${size} is over the limit of ${MAX_DECOY_SIZE}` }); continue; }
      if (size === null) size = uniqueSize(min, used, opts.sizeTaken && ((n: number) => opts.sizeTaken!(n, f.variantId)));
      const n = nonce();
      if (n.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`);
      const file: DecoyFile = { layout: f.layout, size, nonce: n, ...(f.path ? { path: f.path } : {}) };
      variantOf.set(file, f.variantId);
      files.push(file);
    }
    return files;
  });
  if (issues.length > 0) throw new NameListError(issues);
  // Ascending total size, so the fill hash walkers only move forward (see FillWalker).
  const order = specs.map((_, i) => i).sort((a, b) => total(resolved[a]!) - total(resolved[b]!));
  const out = new Array<BuiltDecoy>(specs.length);
  let done = 0;
  for (const i of order) {
    const spec = specs[i]!;
    const pieceLength = choosePieceLength(total(resolved[i]!), opts.pieceSize);
    const multi = resolved[i]!.length > 1 || resolved[i]![0]?.path !== undefined;
    const files = spec.hybrid && multi ? withPadFiles(treeOrder(resolved[i]!), pieceLength) : resolved[i]!;
    const size = total(files);
    const { pieces, contentSha256 } = hasher.hash(files, pieceLength);
    const { info, infoHash } = spec.hybrid
      ? buildHybridInfo({
        name: spec.name, pieceLength, pieces, v2Files: v2FileHashes(files, pieceLength),
        v1Files: multi ? files.map((f) => ({ path: f.path!, length: f.size, pad: f.layout.format === PAD_FORMAT })) : undefined,
      })
      : multi
        ? buildMultiInfo({ name: spec.name, files: files.map((f) => ({ path: f.path!, length: f.size })), pieceLength, pieces })
        : buildInfo({ name: spec.name, pieceLength, length: size, pieces });
    out[i] = {
      decoy: {
        infoHash: infoHashToHex(infoHash), name: spec.name, payloadId: spec.files[0]!.variantId, size, pieceLength,
        pieceCount: pieces.length / 20, info, contentSha256,
      },
      files: storedFiles(files, variantOf),
    };
    opts.onProgress?.(++done, specs.length);
  }
  return out;
}

function total(files: readonly DecoyFile[]): number {
  let n = 0;
  for (const f of files) n += f.size;
  return n;
}

function uniqueSize(min: number, used: Set<number>, taken?: (n: number) => boolean): number {
  for (let k = 0; k < MAX_SIZE_DRAWS; k++) {
    const s = min + (randomBytes(4).readUInt32LE(0) % UNSIZED_SPREAD);
    if (!used.has(s) && !(taken?.(s) ?? false)) { used.add(s); return s; }
  }
  throw new RangeError(`no free size left in [${min}, ${min + UNSIZED_SPREAD}) after ${MAX_SIZE_DRAWS} draws`);
}

const NO_NONCE = new Uint8Array(NONCE_BYTES);

/**
 * BEP 47 / BEP 52: in a hybrid torrent every file but the last is followed by a pad
 * file of zeros up to the next piece boundary, so v1 pieces and v2 per-file trees
 * cover the same bytes. Pad paths are [".pad", "<length>"] as libtorrent writes them.
 */
function withPadFiles(files: readonly DecoyFile[], pieceLength: number): DecoyFile[] {
  const out: DecoyFile[] = [];
  files.forEach((f, k) => {
    out.push(f);
    const pad = (pieceLength - (f.size % pieceLength)) % pieceLength;
    if (pad > 0 && k < files.length - 1) out.push({ layout: PAD_LAYOUT, size: pad, nonce: NO_NONCE, path: ['.pad', String(pad)] });
  });
  return out;
}

/**
 * BEP 52 lists files by walking the `file tree` dictionary, whose keys sort bytewise;
 * a hybrid's v1 list must name the same files in the same order (libtorrent refuses
 * "v1 and v2 file metadata does not match" otherwise).
 */
function treeOrder(files: readonly DecoyFile[]): DecoyFile[] {
  const key = (f: DecoyFile) => (f.path ?? []).map((c) => Buffer.from(c, 'utf8'));
  return [...files].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = Buffer.compare(ka[i]!, kb[i]!);
      if (c !== 0) return c;
    }
    return ka.length - kb.length;
  });
}

/** Per-file rows to store; a pad file records the preceding file's variant (its bytes are zeros). */
function storedFiles(files: readonly DecoyFile[], variantOf: ReadonlyMap<DecoyFile, string>): StoredFile[] {
  let last = '';
  return files.map((f) => {
    last = variantOf.get(f) ?? last;
    return { variantId: last, format: f.layout.format, size: f.size, nonce: f.nonce, ...(f.path ? { path: f.path } : {}) };
  });
}
