import { createHash } from 'node:crypto';
import type { GeoDatabase } from '../../domain/enrichment.ts';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function describeDatabase(name: string, kind: GeoDatabase['kind'], bytes: readonly Uint8Array[], buildDate: string, source: string): GeoDatabase {
  const h = createHash('sha256');
  for (const b of bytes) h.update(b);
  return { name, kind, buildDate, sha256: h.digest('hex'), source };
}

/** @ip-location-db versions end in their build time: 2.3.2026060513 -> 2026-06-05T13:00:00Z. */
export function dateFromPackageVersion(version: string): string | undefined {
  const m = /\.(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(version);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:00:00Z` : undefined;
}
