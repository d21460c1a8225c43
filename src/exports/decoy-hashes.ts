import { randomUUID } from 'node:crypto';
import { ContentHasher, fillOrder, type ContentDigests } from '../decoy/content-hasher.ts';
import type { Decoy } from '../domain/decoy.ts';
import type { PieceSource } from '../domain/piece-source.ts';
import { EvidenceError } from '../evidence/errors.ts';
import { csvLine } from './csv.ts';

export interface DecoyHashes {
  readonly id: number;
  readonly name: string;
  readonly infoHash: string;
  readonly size: number;
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
  /**
   * A file of a multi-file (folder) decoy: its path inside the torrent. Such a decoy has one row per
   * file, named `<decoy name>/<path>`, with that file's size and hashes: a file found on a device is
   * one file, never the folder's concatenated bytes (issue 15 item 12: the folder was the FileName).
   */
  readonly file?: readonly string[];
  /** The file's media type, when it differs from the decoy's payload (the files of a folder). */
  readonly mediaType?: string;
}

/** One file of a multi-file decoy, to hash on its own. */
export interface DecoyFileSource { readonly path: readonly string[]; readonly source: PieceSource; readonly mediaType?: string }

/** Yields to the event loop between decoys and between 1 MiB reads, so SIGINT/SIGTERM stop a long run. */
const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * MD5, SHA-1 and SHA-256 of every decoy's content (ContentHasher: virtual decoys from hash-state
 * checkpoints, anything else read in 1 MiB chunks; bytes are never written to disk). Decoys whose
 * stored content SHA-256 is equal share one pass (equal SHA-256 means equal bytes). Work goes in size
 * order so the checkpoint cursors only move forward; rows come back in the order given. A computed
 * SHA-256 that differs from the stored one is an error: the list must describe what peers got.
 * Stops with the signal's reason between decoys or reads.
 */
export async function hashDecoys(
  decoys: readonly Decoy[], sourceFor: (d: Decoy) => PieceSource,
  opts: {
    signal?: AbortSignal; onProgress?: (done: number, total: number) => void; hasher?: ContentHasher;
    /** The files of a multi-file decoy (pad files left out); undefined for a single-file one. */
    filesOf?: (d: Decoy) => readonly DecoyFileSource[] | undefined;
  } = {},
): Promise<DecoyHashes[]> {
  const hasher = opts.hasher ?? new ContentHasher();
  const done = new Map<string, ContentDigests>();
  const checked = new Set<string>();
  const sources = decoys.map((d) => sourceFor(d));
  const order = decoys.map((_, i) => i).sort((a, b) => fillOrder(sources[a]!) - fillOrder(sources[b]!) || a - b);
  const out: DecoyHashes[][] = new Array(decoys.length);
  let n = 0;
  opts.onProgress?.(0, decoys.length);
  const hashOpts = { ...(opts.signal ? { signal: opts.signal } : {}), yieldEvery: tick };
  const mismatch = (d: Decoy, sha256: string) => new EvidenceError(`decoy ${d.id} (${d.name}): content SHA-256 ${sha256} differs from the recorded ${d.contentSha256}`);
  for (const i of order) {
    const d = decoys[i]!;
    const src = sources[i]!;
    if (src.length !== d.size) throw new EvidenceError(`decoy ${d.id}: piece source has ${src.length} bytes, decoy says ${d.size}`);
    const files = opts.filesOf?.(d);
    if (files === undefined) {
      let h = done.get(d.contentSha256);
      if (!h) {
        h = await hasher.digests(src, hashOpts);
        if (h.sha256 !== d.contentSha256) throw mismatch(d, h.sha256);
        done.set(d.contentSha256, h);
      }
      out[i] = [{ id: d.id, name: d.name, infoHash: d.infoHash, size: d.size, ...h }];
    } else {
      // A folder: its whole content is checked against the record by SHA-256 alone (the list has no
      // row for it), and each file gets its own digests, from the checkpoints where it is virtual.
      if (!checked.has(d.contentSha256)) {
        const sha256 = await hasher.sha256(src, hashOpts);
        if (sha256 !== d.contentSha256) throw mismatch(d, sha256);
        checked.add(d.contentSha256);
      }
      const rows: DecoyHashes[] = [];
      for (const f of files) {
        const fh = await hasher.digests(f.source, hashOpts);
        rows.push({ id: d.id, name: [d.name, ...f.path].join('/'), infoHash: d.infoHash, size: f.source.length, ...fh, file: f.path, ...(f.mediaType ? { mediaType: f.mediaType } : {}) });
      }
      out[i] = rows;
    }
    opts.onProgress?.(++n, decoys.length);
    if (n % 64 === 0) { await tick(); opts.signal?.throwIfAborted(); }
  }
  return out.flat();
}

export const HASH_CSV_COLUMNS = ['decoy_id', 'name', 'size', 'md5', 'sha1', 'sha256', 'info_hash'] as const;

export function hashesCsv(rows: readonly DecoyHashes[]): string {
  return csvLine(HASH_CSV_COLUMNS) + rows.map((r) => csvLine([r.id, r.name, r.size, r.md5, r.sha1, r.sha256, r.infoHash])).join('');
}

/**
 * Project VIC VICS 2.0 case JSON (OData): one Case whose Media are the decoy contents, keeping to
 * fields VICS documents: MediaID, Category, MD5, SHA1 (upper-case hex, as VICS tools write them),
 * MediaSize, MimeType and MediaFiles[].FileName. Category 0 = non-pertinent: the content is
 * counterseed's warning video, not abuse material. SHA-256 is in the CSV.
 */
export function hashesVics(rows: readonly DecoyHashes[], o: { version: string; mimeType?: (r: DecoyHashes) => string; caseId?: string }): object {
  const byContent = new Map<string, DecoyHashes[]>();
  for (const r of rows) byContent.set(r.sha256, [...(byContent.get(r.sha256) ?? []), r]);
  let id = 0;
  return {
    '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/CUSTOM/$metadata#Cases',
    value: [{
      CaseID: o.caseId ?? randomUUID(),
      CaseNumber: 'counterseed decoy contents',
      SourceApplicationName: 'counterseed',
      SourceApplicationVersion: o.version,
      Media: [...byContent.values()].map((group) => {
        const r = group[0]!;
        return {
          MediaID: ++id, Category: 0, MD5: r.md5.toUpperCase(), SHA1: r.sha1.toUpperCase(), MediaSize: r.size,
          MimeType: o.mimeType?.(r) ?? 'application/octet-stream',
          // A file of a folder decoy: its own name, and the folder it sits in (the torrent's name and subfolders).
          MediaFiles: group.map((g) => (g.file ? { FileName: g.file.at(-1)!, FilePath: g.name.slice(0, -g.file.at(-1)!.length - 1) } : { FileName: g.name })),
        };
      }),
    }],
  };
}
