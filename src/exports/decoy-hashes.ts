import { createHash, randomUUID } from 'node:crypto';
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
}

/** Read size: bounded memory whatever the decoy size; bytes are never written to disk. */
const CHUNK = 1 << 20;

/**
 * MD5, SHA-1 and SHA-256 of every decoy's content, read from its PieceSource in 1 MiB chunks.
 * Decoys whose stored content SHA-256 is equal share one pass (equal SHA-256 means equal bytes).
 * A computed SHA-256 that differs from the stored one is an error: the list must describe what peers got.
 */
export function hashDecoys(decoys: readonly Decoy[], sourceFor: (d: Decoy) => PieceSource, opts: { signal?: AbortSignal } = {}): DecoyHashes[] {
  const done = new Map<string, { md5: string; sha1: string; sha256: string }>();
  return decoys.map((d) => {
    let h = done.get(d.contentSha256);
    if (!h) {
      const src = sourceFor(d);
      if (src.length !== d.size) throw new EvidenceError(`decoy ${d.id}: piece source has ${src.length} bytes, decoy says ${d.size}`);
      const md5 = createHash('md5'), sha1 = createHash('sha1'), sha256 = createHash('sha256');
      for (let off = 0; off < src.length; off += CHUNK) {
        opts.signal?.throwIfAborted();
        const b = src.read(off, Math.min(CHUNK, src.length - off));
        md5.update(b); sha1.update(b); sha256.update(b);
      }
      h = { md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex') };
      if (h.sha256 !== d.contentSha256) throw new EvidenceError(`decoy ${d.id} (${d.name}): content SHA-256 ${h.sha256} differs from the recorded ${d.contentSha256}`);
      done.set(d.contentSha256, h);
    }
    return { id: d.id, name: d.name, infoHash: d.infoHash, size: d.size, ...h };
  });
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
          MediaFiles: group.map((g) => ({ FileName: g.name })),
        };
      }),
    }],
  };
}
