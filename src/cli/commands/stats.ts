import { withContext } from '../../app/context.ts';
import { IP_DIMENSIONS, NORWEGIAN_MUNICIPALITIES, stats } from '../../app/stats.ts';
import { InputError } from '../../domain/errors.ts';
import { parseUtcTime, UTC_TIME_HELP } from '../../domain/utc-time.ts';
import type { IpDimension, Period } from '../../app/stats.ts';
import { optionalInt } from '../args.ts';
import type { Command, ParsedArgs } from '../command.ts';
import { banner, csvTable, databasesLines, pct, table } from '../intel-output.ts';

const PERIODS: readonly Period[] = ['day', 'week', 'month', 'year'];

export const INTEL_FILTER_OPTIONS = {
  from: { type: 'string', arg: 'TIME', doc: `From this time (UTC): ${UTC_TIME_HELP}` },
  to: { type: 'string', arg: 'TIME', doc: 'Before this time (same format)' },
  campaign: { type: 'string', arg: 'ID', doc: 'Only decoys of this campaign' },
  format: { type: 'string', arg: 'FMT', doc: 'Only decoys of this format (mp4, zip, ...)' },
  language: { type: 'string', arg: 'LANG', doc: 'Only decoys of this language' },
  network: { type: 'string', arg: 'NET', doc: 'Only this network (bittorrent)' },
  json: { type: 'boolean', doc: 'JSON output' },
  csv: { type: 'boolean', doc: 'CSV output (a first column says synthetic or recorded)' },
} as const;

export function intelFilter(args: ParsedArgs) {
  const o = args.options;
  const from = typeof o.from === 'string' ? parseUtcTime(o.from, '--from') : undefined;
  const to = typeof o.to === 'string' ? parseUtcTime(o.to, '--to') : undefined;
  const campaignId = optionalInt(args, 'campaign', 1, Number.MAX_SAFE_INTEGER);
  if (o.json && o.csv) throw new InputError('--json and --csv: give one of them');
  return {
    ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(campaignId !== undefined ? { campaignId } : {}),
    ...(typeof o.format === 'string' ? { format: o.format } : {}), ...(typeof o.language === 'string' ? { language: o.language } : {}),
    ...(typeof o.network === 'string' ? { network: o.network } : {}),
  };
}

export const statsCommand: Command = {
  name: 'stats',
  data: 'existing',
  summary: 'Deliveries, completed, bytes, unique IPs (by country/county/municipality/ASN/client), municipalities reached, decoys, per day/week/month/year (UTC)',
  options: {
    period: { type: 'string', arg: 'day|week|month|year', doc: 'Bucket (default month)' },
    by: { type: 'string', arg: 'DIMS', doc: `Unique IPs broken down by: ${IP_DIMENSIONS.join(',')} (comma-separated)` },
    top: { type: 'string', arg: 'N', doc: 'Rows per bucket in a breakdown table, and addresses in the devices estimate (default 5)' },
    devices: { type: 'boolean', doc: 'Also estimate devices behind one IP: a plain query over every delivery in the window (minutes over a year of millions)' },
    ...INTEL_FILTER_OPTIONS,
  },
  async run(args, io) {
    const period = (args.options.period ?? 'month') as Period;
    if (!PERIODS.includes(period)) throw new InputError(`--period: expected ${PERIODS.join('|')}, got ${JSON.stringify(period)}`);
    const by = typeof args.options.by === 'string' ? args.options.by.split(',').map((s) => s.trim()).filter(Boolean) : [];
    for (const d of by) if (!IP_DIMENSIONS.includes(d as IpDimension)) throw new InputError(`--by: unknown breakdown "${d}" (expected ${IP_DIMENSIONS.join(', ')})`);
    const top = optionalInt(args, 'top', 1, 10_000) ?? 5;
    const filter = intelFilter(args);
    const r = await withContext(io.settings, io.err, (ctx) => stats(ctx, { period, by: by as IpDimension[], top, devices: args.options.devices === true, ...filter }), 'read');
    if (args.options.json) { io.out(JSON.stringify(r, null, 2)); return; }
    const dec = new Map(r.decoys.map((d) => [d.bucket, d]));
    const mun = new Map(r.municipalities.map((m) => [m.bucket, m]));
    const np = new Map(r.notPlaceable.map((m) => [m.bucket, m.ips]));
    const rows = r.activity.map((a) => [a.bucket, a.deliveries, a.completed, a.bytes, a.metadataOnly, a.uniqueIps, np.get(a.bucket) ?? 0,
      mun.get(a.bucket)?.reached ?? 0, pct(mun.get(a.bucket)?.share ?? 0), dec.get(a.bucket)?.published ?? 0, dec.get(a.bucket)?.active ?? 0, dec.get(a.bucket)?.retired ?? 0]);
    const header = [period, 'deliveries', 'completed', 'bytes', 'metadata-only', 'unique IPs', 'not placeable', 'municipalities', `of ${NORWEGIAN_MUNICIPALITIES}`, 'decoys published', 'active', 'retired'];
    if (args.options.csv) {
      if (by.length === 0) csvTable(r.synthetic, header, rows, io.out);
      else csvTable(r.synthetic, [period, 'breakdown', 'key', 'label', 'unique_ips'], by.flatMap((d) => (r.ipsBy[d as IpDimension] ?? []).map((x) => [x.bucket, d, x.key, x.label, x.ips])), io.out);
      return;
    }
    banner(r.synthetic, io.out);
    io.out(`Statistics per ${period}, UTC${filterText(r.filter)}. Deliveries and IP figures leave out metadata-only sessions (crawlers, indexers), which are counted on their own.`);
    table(header, rows, io.out);
    for (const d of by as IpDimension[]) {
      io.out('');
      io.out(`Unique IPs by ${d} (top ${top} per ${period}):`);
      const perBucket = new Map<string, (readonly unknown[])[]>();
      for (const x of r.ipsBy[d] ?? []) {
        const l = perBucket.get(x.bucket) ?? [];
        if (l.length < top) l.push([x.bucket, x.key, x.label === x.key ? '' : x.label, x.ips]);
        perBucket.set(x.bucket, l);
      }
      table([period, d, 'name', 'unique IPs'], [...perBucket.values()].flat(), io.out, 3);
    }
    if (r.devices) {
      io.out('');
      const [one, two, few, many] = r.devices.distribution;
      io.out(`Devices behind one IP (estimate): 1: ${one}, 2: ${two}, 3-5: ${few}, 6+: ${many} addresses.`);
      io.out(`  Method: ${r.devices.method}`);
      if (r.devices.top.length > 0) table(['  address', 'sessions', 'peer ids', 'client versions', 'listen ports', 'est. devices'], r.devices.top.map((t) => [`  ${t.ip}`, t.sessions, t.peerIds, t.clientVersions, t.listenPorts, t.clientPorts]), io.out);
    }
    io.out('');
    for (const c of r.caveats) io.out(`Caveat: ${c}`);
    databasesLines(r.databases, io.out);
    banner(r.synthetic, io.out);
  },
};

function filterText(f: { from: number; to: number; campaignId?: number; format?: string; language?: string; network?: string }): string {
  const parts: string[] = [];
  if (f.from > 0) parts.push(`from ${new Date(f.from).toISOString()}`);
  if (f.to < 8.64e15) parts.push(`to ${new Date(f.to).toISOString()}`);
  if (f.campaignId !== undefined) parts.push(`campaign ${f.campaignId}`);
  if (f.format !== undefined) parts.push(`format ${f.format}`);
  if (f.language !== undefined) parts.push(`language ${f.language}`);
  if (f.network !== undefined) parts.push(`network ${f.network}`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}
