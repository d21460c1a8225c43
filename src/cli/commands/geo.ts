import { withContext } from '../../app/context.ts';
import { importGeoDatabase } from '../../app/geo-import.ts';
import { reenrichAll, refreshIntel } from '../../app/intel-refresh.ts';
import { InputError } from '../../domain/errors.ts';
import type { Command } from '../command.ts';

export const geoImport: Command = {
  name: 'geo import',
  data: 'existing',
  summary: 'Use a newer DB-IP city .mmdb or ASN ranges .csv (start,end,asn,org) for this data directory; then `geo enrich --all`',
  positionals: 'FILE',
  async run(args, io) {
    const file = args.positionals[0];
    if (!file || args.positionals.length > 1) throw new InputError('expected exactly one FILE');
    const db = await withContext(io.settings, io.err, (ctx) => importGeoDatabase(ctx, file), 'read');
    io.out(`imported ${db.name}: built ${db.buildDate}, sha256 ${db.sha256}`);
  },
};

export const geoEnrich: Command = {
  name: 'geo enrich',
  data: 'existing',
  summary: 'Enrich the addresses not yet assessed (country, county, municipality, ASN); --all re-assesses every address and keeps the old assessments',
  options: { all: { type: 'boolean', doc: 'Re-assess every known address with the databases installed now (history kept)' } },
  async run(args, io) {
    await withContext(io.settings, io.err, (ctx) => {
      const r = args.options.all ? reenrichAll(ctx) : refreshIntel(ctx);
      io.out(`${r.enriched} addresses assessed`);
      for (const d of r.databases) io.out(`  ${d.kind.padEnd(10)} ${d.name}, built ${d.buildDate}, sha256 ${d.sha256}`);
    }, 'read');
  },
};
