import { copyFileSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { AsnTable } from '../analysis/enrichment/asn-table.ts';
import { CityDb } from '../analysis/enrichment/city-db.ts';
import { describeDatabase } from '../analysis/enrichment/database-info.ts';
import { GEO_DIR, IMPORTED } from '../analysis/enrichment/sources.ts';
import type { GeoDatabase } from '../domain/enrichment.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { Context } from './context.ts';

/**
 * `counterseed geo import FILE` (issue 11 item 1): a newer DB-IP city MMDB or ip-location-db ASN
 * CSV replaces the bundled one for this data directory. The file is checked (it must parse) before
 * it is copied in; the copy is atomic. Existing assessments stay; `geo enrich --all` adds new ones.
 */
export function importGeoDatabase(ctx: Context, file: string, now = Date.now()): GeoDatabase {
  let bytes: Buffer;
  try { bytes = readFileSync(file); } catch (e) { throw new NotFoundError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  const ext = extname(file).toLowerCase();
  let target: string;
  let db: GeoDatabase;
  if (ext === '.mmdb') {
    const city = new CityDb(bytes);
    if (!/city/i.test(city.databaseType)) throw new InputError(`${basename(file)}: database type "${city.databaseType}" is not a city database`);
    target = city.ipVersion === 6 && !/ipv4/i.test(basename(file)) ? IMPORTED.cityV6 : IMPORTED.cityV4;
    db = describeDatabase(`${city.databaseType} (imported ${basename(file)})`, 'city', [bytes], city.buildEpoch.toISOString(), join(GEO_DIR, target));
  } else if (ext === '.csv') {
    const t = AsnTable.fromCsv(bytes.toString('utf8'));
    if (t.size.v4 > 0 && t.size.v6 > 0) throw new InputError(`${basename(file)}: mixes IPv4 and IPv6 ranges; import the ipv4 and ipv6 files separately`);
    if (t.size.v4 + t.size.v6 === 0) throw new InputError(`${basename(file)}: no ranges`);
    target = t.size.v6 > 0 ? IMPORTED.asnV6 : IMPORTED.asnV4;
    db = describeDatabase(`ASN ranges (imported ${basename(file)})`, 'asn', [bytes], new Date(now).toISOString(), join(GEO_DIR, target));
  } else {
    throw new InputError(`${basename(file)}: expected a .mmdb (DB-IP city) or .csv (ASN ranges: start,end,asn,org) file`);
  }
  const dir = join(ctx.settings.dataDir, GEO_DIR);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${target}.tmp`);
  copyFileSync(file, tmp);
  renameSync(tmp, join(dir, target));
  ctx.store.intel.recordDatabases([db], now);
  return db;
}
