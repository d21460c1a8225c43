import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConnectionsBenchOptions, sourceAddresses } from './connections-options.ts';
import { BenchOptionError } from './options.ts';

test('defaults: 10,000 connections from 100 sources against both seeders', () => {
  const o = parseConnectionsBenchOptions([]);
  assert.equal(o.connections, 10_000);
  assert.equal(o.sources, 100);
  assert.equal(o.decoys, 1000);
  assert.equal(o.concurrency, 256);
  assert.deepEqual(o.sides, ['counterseed', 'libtorrent']);
  assert.deepEqual(o.ltProfiles, ['default', 'high_performance_seed']);
});

test('flags are parsed and bounded, with the reason named', () => {
  const o = parseConnectionsBenchOptions(['--connections', '2000', '--sources', '4', '--only', 'libtorrent', '--json', '/tmp/x.json']);
  assert.equal(o.connections, 2000);
  assert.deepEqual(o.sides, ['libtorrent']);
  assert.equal(o.jsonOut, '/tmp/x.json');
  assert.throws(() => parseConnectionsBenchOptions(['--connections', '0']), (e: Error) => e instanceof BenchOptionError && /outside 1\.\.60000/.test(e.message));
  assert.throws(() => parseConnectionsBenchOptions(['--connections', '1e4']), BenchOptionError);
  assert.throws(() => parseConnectionsBenchOptions(['--only', 'both']), BenchOptionError);
  assert.throws(() => parseConnectionsBenchOptions(['--lt-profile', 'fast']), BenchOptionError);
  assert.throws(() => parseConnectionsBenchOptions(['--bogus']), BenchOptionError);
});

test('more than 1000 connections per source address is refused (counterseed per-IP ceiling)', () => {
  assert.throws(() => parseConnectionsBenchOptions(['--connections', '10001', '--sources', '10']), (e: Error) => /per address/.test(e.message));
  assert.equal(parseConnectionsBenchOptions(['--connections', '10000', '--sources', '10']).sources, 10);
});

test('source addresses are distinct 127.1.x.y with y in 1..254', () => {
  const a = sourceAddresses(600);
  assert.equal(new Set(a).size, 600);
  assert.equal(a[0], '127.1.0.1');
  assert.equal(a[253], '127.1.0.254');
  assert.equal(a[254], '127.1.1.1');
  for (const s of a) {
    const y = Number(s.split('.')[3]);
    assert.ok(s.startsWith('127.1.') && y >= 1 && y <= 254, s);
  }
  assert.throws(() => sourceAddresses(0), RangeError);
});
