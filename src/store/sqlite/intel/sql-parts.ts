import type { IntelFilter } from '../../intelligence.ts';

export { DAY_MS, weekDaySql } from './intel-dialect.ts';

export interface SqlPart { readonly join: string; readonly where: string[]; readonly args: (string | number)[] }

/**
 * The campaign/format/language/network filter over deliveries `d`: a join with the decoy's
 * dimensions only when one of those is asked for (the view reads campaigns and decoy files).
 */
export function deliveryFilter(f: IntelFilter, timeCol = 'd.started_at'): SqlPart {
  const where = [`${timeCol} >= ?`, `${timeCol} < ?`];
  const args: (string | number)[] = [f.from, f.to];
  const dims = dimsFilter(f, 'd.decoy_id');
  return { join: dims.join, where: [...where, ...dims.where], args: [...args, ...dims.args] };
}

export function dimsFilter(f: Omit<IntelFilter, 'from' | 'to'>, decoyCol: string): SqlPart {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.network !== undefined && f.network !== 'bittorrent') where.push('1 = 0'); // every delivery so far is BitTorrent
  const needDims = f.campaignId !== undefined || f.format !== undefined || f.language !== undefined;
  if (f.campaignId !== undefined) { where.push('m.campaign_id = ?'); args.push(f.campaignId); }
  if (f.format !== undefined) { where.push('m.format = ?'); args.push(f.format); }
  if (f.language !== undefined) { where.push('m.lang = ?'); args.push(f.language); }
  return { join: needDims ? `JOIN intel_decoy_dims m ON m.decoy_id = ${decoyCol}` : '', where, args };
}
