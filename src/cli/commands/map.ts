import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withContext } from '../../app/context.ts';
import { publicMap } from '../../app/public-map.ts';
import { InputError } from '../../domain/errors.ts';
import type { Command } from '../command.ts';
import { banner, table } from '../intel-output.ts';
import { intelFilter } from './stats.ts';
import { INTEL_FILTER_OPTIONS } from './stats.ts';

export const mapCommand: Command = {
  name: 'map',
  data: 'existing',
  summary: 'Public map data: distinct IPs per country and per Norwegian county, cells under --min-ips withheld; writes map.geojson and map.svg',
  settings: ['mapMinIps'],
  options: {
    out: { type: 'string', arg: 'DIR', doc: 'Directory for map.geojson and map.svg (created if missing)' },
    from: INTEL_FILTER_OPTIONS.from, to: INTEL_FILTER_OPTIONS.to, campaign: INTEL_FILTER_OPTIONS.campaign, format: INTEL_FILTER_OPTIONS.format,
    language: INTEL_FILTER_OPTIONS.language, network: INTEL_FILTER_OPTIONS.network, json: INTEL_FILTER_OPTIONS.json,
  },
  async run(args, io) {
    const out = args.options.out;
    if (out !== undefined && (typeof out !== 'string' || out === '')) throw new InputError('--out: a directory');
    const filter = intelFilter(args);
    const k = io.settings.mapMinIps;
    const m = await withContext(io.settings, io.err, (ctx) => publicMap(ctx, { filter, k }), 'read');
    if (typeof out === 'string') {
      mkdirSync(out, { recursive: true });
      for (const [name, text] of [['map.geojson', JSON.stringify(m.geojson)], ['map.svg', m.svg]] as const) {
        writeFileSync(join(out, `.${name}.tmp`), text);
        renameSync(join(out, `.${name}.tmp`), join(out, name));
      }
    }
    if (args.options.json) { io.out(JSON.stringify({ synthetic: m.synthetic, k: m.k, countries: m.countries, norwayCounties: m.norwayCounties, notPlaced: m.notPlaced }, null, 2)); return; }
    banner(m.synthetic, io.out);
    io.out(`Public map data (k = ${k}: cells with fewer distinct IPs are withheld, shown as "< ${k}")`);
    const show = (c: { ips: number | null }) => (c.ips === null ? `< ${k}` : c.ips);
    table(['country', 'IPs'], m.countries.slice(0, 20).map((c) => [c.key, show(c)]), io.out);
    if (m.countries.length > 20) io.out(`  ... ${m.countries.length - 20} more countries`);
    io.out('');
    table(['county', 'name', 'IPs'], m.norwayCounties.map((c) => [c.key, c.label, show(c)]), io.out, 2);
    io.out(`not placeable or not assessed: ${m.notPlaced} addresses (not on the map)`);
    if (typeof out === 'string') io.out(`wrote ${join(out, 'map.geojson')} and ${join(out, 'map.svg')}`);
    banner(m.synthetic, io.out);
  },
};
