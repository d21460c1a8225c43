import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from 'topojson-specification';
import { AsnTable } from '../../../../src/analysis/enrichment/asn-table.ts';
import { Boundaries } from '../../../../src/analysis/enrichment/boundaries.ts';
import { CityDb } from '../../../../src/analysis/enrichment/city-db.ts';
import { Enricher } from '../../../../src/analysis/enrichment/enricher.ts';
import { ipv4ToNumber, normalizeIp, numberToIpv4 } from '../../../../src/analysis/enrichment/ip-address.ts';
import { notPlaceableReason } from '../../../../src/analysis/enrichment/not-placeable.ts';
import { locateDatabases } from '../../../../src/analysis/enrichment/sources.ts';

const geo = join(import.meta.dirname, '..', '..', '..', '..', 'assets', 'geo');
const boundaries = new Boundaries(
  JSON.parse(readFileSync(join(geo, 'norway-municipalities-2024.topojson'), 'utf8')) as Topology,
  JSON.parse(readFileSync(join(geo, 'norway-counties-2024.topojson'), 'utf8')) as Topology,
);

describe('point-in-polygon against Kartverket 2024', () => {
  it('has 357 municipalities and 15 counties, every municipality in a county', () => {
    assert.equal(boundaries.municipalities().length, 357);
    assert.equal(boundaries.countyList().length, 15);
    for (const m of boundaries.municipalities()) assert.ok(boundaries.countyOf(m.number), `${m.number} ${m.name} has no county`);
  });
  // Coordinates of well-known inland places (not on the coast line), checked against a map.
  const cases: [string, number, number, string, string][] = [
    ['Oslo, Slottet', 10.7275, 59.9170, '0301', '03'],
    ['Bergen, Fløyen', 5.3430, 60.3940, '4601', '46'],
    ['Tromsø, Tromsøya centre', 18.9380, 69.6700, '5501', '55'],
    ['Trondheim, Nidarosdomen', 10.3967, 63.4269, '5001', '50'],
    ['Kautokeino village (Guovdageaidnu, 5612 since 2024)', 23.0410, 69.0120, '5612', '56'],
  ];
  for (const [what, lon, lat, kommune, fylke] of cases) {
    it(`${what} is in ${kommune}`, () => {
      const p = boundaries.place(lon, lat);
      assert.equal(p?.municipality.number, kommune);
      assert.equal(p?.county.number, fylke);
      assert.equal(p?.method, 'inside');
    });
  }
  it('places nothing in the North Sea or in Stockholm', () => {
    assert.equal(boundaries.place(3.0, 58.0), undefined);
    assert.equal(boundaries.place(18.07, 59.33), undefined);
  });
});

describe('addresses that cannot be placed', () => {
  for (const ip of ['192.0.2.7', '198.51.100.1', '203.0.113.255', '2001:db8::42', '127.0.0.1', '::1', '10.1.2.3', '172.31.0.1', '192.168.1.1', '198.18.0.1', '198.19.255.255', '100.64.0.1', 'fd00::1', 'fe80::1']) {
    it(`${ip} is not placeable`, () => assert.ok(notPlaceableReason(normalizeIp(ip)!)));
  }
  for (const ip of ['198.17.255.255', '198.20.0.0', '192.0.3.1', '8.8.8.8', '2a01:79c::1', '100.128.0.1']) {
    it(`${ip} may be placed`, () => assert.equal(notPlaceableReason(normalizeIp(ip)!), undefined));
  }
});

describe('ASN table', () => {
  const t = AsnTable.fromCsv('1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n2.148.0.0,2.151.255.255,2119,Telenor Norge AS\n', '2001:4600::,2001:46ff:ffff:ffff:ffff:ffff:ffff:ffff,2119,Telenor Norge AS\n');
  it('finds the range an address is in, with a quoted organisation', () => {
    assert.deepEqual(t.lookup('1.0.0.9'), { asn: 13335, org: 'Cloudflare, Inc.' });
    assert.deepEqual(t.lookup('2.150.3.4'), { asn: 2119, org: 'Telenor Norge AS' });
    assert.deepEqual(t.lookup('2001:4612::1'), { asn: 2119, org: 'Telenor Norge AS' });
  });
  it('finds nothing between or outside ranges', () => {
    assert.equal(t.lookup('1.0.1.0'), undefined);
    assert.equal(t.lookup('0.255.255.255'), undefined);
    assert.equal(t.lookup('2.152.0.0'), undefined);
    assert.equal(t.lookup('2001:4700::'), undefined);
  });
  it('refuses a bad line with its number', () => {
    assert.throws(() => AsnTable.fromCsv('1.0.0.0,1.0.0.255,13335,x\nnonsense\n'), /line 2/);
  });
  it('IPv4 numbers round-trip', () => assert.equal(numberToIpv4(ipv4ToNumber('193.213.112.4')), '193.213.112.4'));
});

const installed = locateDatabases(undefined);
describe('with the bundled DB-IP and ASN databases', { skip: installed.cityV4 && installed.asn.length > 0 ? false : 'optional dependencies @ip-location-db/* not installed' }, () => {
  let e: Enricher;
  before(() => { e = Enricher.open(undefined); });
  it('records name, build date and SHA-256 of every database', () => {
    assert.ok(e.databases.some((d) => d.kind === 'city') && e.databases.some((d) => d.kind === 'asn') && e.databases.some((d) => d.kind === 'boundaries'));
    for (const d of e.databases) { assert.match(d.sha256, /^[0-9a-f]{64}$/); assert.ok(!Number.isNaN(Date.parse(d.buildDate)), d.buildDate); }
  });
  it('a documentation address is not placeable and gets no place', () => {
    for (const ip of ['192.0.2.1', '2001:db8::1']) {
      const r = e.enrich(ip, 0);
      assert.equal(r.placeable, false);
      assert.equal(r.country, undefined);
      assert.equal(r.municipalityNumber, undefined);
    }
  });
  it("a range of Telenor Norge AS (AS2119 in the bundled ASN data) maps to Norway", () => {
    const ranges = AsnTable.fromCsv(readFileSync(installed.asn[0]!, 'utf8')).rangesOfAsn(2119);
    assert.ok(ranges.length > 10);
    let no = 0;
    let total = 0;
    for (const [s, end] of ranges.slice(0, 40)) {
      const r = e.enrich(numberToIpv4(Math.floor((s + end) / 2)), 0);
      assert.equal(r.asn, 2119);
      total++;
      if (r.country === 'NO') no++;
    }
    assert.ok(no / total >= 0.9, `${no} of ${total} Telenor ranges in Norway`);
  });
  it("the enricher's own IPv4 tree walk finds the record mmdb-lib finds, for addresses all over the space", () => {
    const city = new CityDb(readFileSync(installed.cityV4!));
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0));
    let found = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = i < 256 ? i * 16_777_216 + 1 : i < 512 ? (i - 256) * 16_777_216 + 16_777_215 : rnd();
      const ip = numberToIpv4(n);
      const walked = city.lookupV4(n, ip);
      assert.deepEqual(walked, city.lookup(ip), ip);
      if (walked) found++;
    }
    assert.ok(found > 10_000, `${found} found`);
  });
  it('an address in a non-normal form enriches as its normal form', () => {
    for (const [odd, norm] of [['::ffff:193.213.112.1', '193.213.112.1'], [' 84.208.20.110 ', '84.208.20.110']]) {
      assert.deepEqual(e.enrich(odd!, 0), e.enrich(norm!, 0));
    }
  });
  it('a Norwegian address gets a municipality and county; mobile/CGNAT ranges are flagged', () => {
    const r = e.enrich('193.213.112.1', 0); // Telenor, placed at Fornebu (Bærum)
    assert.equal(r.country, 'NO');
    assert.match(r.municipalityNumber ?? '', /^\d{4}$/);
    assert.equal(r.countyNumber, r.municipalityNumber!.slice(0, 2));
    assert.ok(r.caveats.includes('cgnat-possible'));
  });
});
