import { NOT_ENRICHED, NOT_PLACEABLE, OUTSIDE_NORWAY, UNKNOWN, type IpDimension } from '../../intelligence.ts';

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Dimensions counted in the bucket rollup (intel_bucket_place); 'all' is every address once. */
export type PlaceDimension = Exclude<IpDimension, 'client'> | 'all';
export const ROLLUP_DIMENSIONS: readonly PlaceDimension[] = ['all', 'country', 'county', 'municipality', 'asn'];

/**
 * The key and label of an address under one dimension, from its current assessment `g` (an
 * intel_ip_geo row, LEFT JOINed: g.ip_id NULL = never enriched). THE one definition: the plain
 * queries group by it, and the rollups count by it, so the two always agree.
 */
export function placeKey(dim: PlaceDimension, g = 'g'): { key: string; label: string } {
  if (dim === 'all') return { key: "''", label: "''" };
  if (dim === 'asn') {
    const key = `(CASE WHEN ${g}.ip_id IS NULL THEN ${q(NOT_ENRICHED)} ELSE COALESCE(CAST(${g}.asn AS TEXT), ${q(UNKNOWN)}) END)`;
    return { key, label: `COALESCE(${g}.as_org, ${key})` };
  }
  const pre = `CASE WHEN ${g}.ip_id IS NULL THEN ${q(NOT_ENRICHED)} WHEN ${g}.placeable = 0 THEN ${q(NOT_PLACEABLE)}`;
  if (dim === 'country') { const key = `(${pre} ELSE COALESCE(${g}.country, ${q(UNKNOWN)}) END)`; return { key, label: key }; }
  const col = dim === 'county' ? `${g}.county_no` : `${g}.municipality_no`;
  const name = dim === 'county' ? `${g}.county_name` : `${g}.municipality_name`;
  const key = `(${pre} WHEN ${g}.country <> 'NO' THEN ${q(OUTSIDE_NORWAY)} ELSE COALESCE(${col}, ${q(UNKNOWN)}) END)`;
  return { key, label: `COALESCE(${name}, ${key})` };
}
