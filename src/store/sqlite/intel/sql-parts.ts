import type { IntelFilter, Period } from '../../intelligence.ts';

export const DAY_MS = 86_400_000;

/** UTC bucket label of a ms column, per period (the labels intelligence.ts documents). */
export function bucketSql(col: string, period: Period): string {
  const t = `${col} / 1000, 'unixepoch'`;
  switch (period) {
    case 'day': return `strftime('%Y-%m-%d', ${t})`;
    // 'weekday 1' moves forward to the next Monday (or stays on one): from six days back, that is this week's Monday.
    case 'week': return `date(${t}, '-6 days', 'weekday 1')`;
    case 'month': return `strftime('%Y-%m', ${t})`;
    case 'year': return `strftime('%Y', ${t})`;
  }
}

/** Monday on or before the UTC day of `ms`, as days since 1970-01-01 (a Thursday). */
export const weekDaySql = (col: string) => `((${col} / ${DAY_MS}) - (((${col} / ${DAY_MS}) + 3) % 7))`;

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
  if (f.network !== undefined && f.network !== 'bittorrent') where.push('0'); // every delivery so far is BitTorrent
  const needDims = f.campaignId !== undefined || f.format !== undefined || f.language !== undefined;
  if (f.campaignId !== undefined) { where.push('m.campaign_id = ?'); args.push(f.campaignId); }
  if (f.format !== undefined) { where.push('m.format = ?'); args.push(f.format); }
  if (f.language !== undefined) { where.push('m.lang = ?'); args.push(f.language); }
  return { join: needDims ? `JOIN intel_decoy_dims m ON m.decoy_id = ${decoyCol}` : '', where, args };
}
