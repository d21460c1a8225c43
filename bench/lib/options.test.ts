import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchOptionError, parseServeBenchOptions } from './options.ts';
import { placeholderNames } from './fixture.ts';

test('defaults', () => {
  const o = parseServeBenchOptions([]);
  assert.equal(o.sizeMiB, 32);
  assert.equal(o.decoys, 4);
  assert.deepEqual(o.levels, [1, 8, 32]);
  assert.equal(o.crypto, 'plain');
  assert.equal(o.jsonOut, undefined);
});

test('flags are parsed', () => {
  const o = parseServeBenchOptions(['--size-mib', '8', '--n', '2, 4', '--rounds', '2', '--crypto', 'rc4', '--json', 'out.json', '--lt-profile', 'high_performance_seed']);
  assert.deepEqual(o.levels, [2, 4]);
  assert.equal(o.sizeMiB, 8);
  assert.equal(o.rounds, 2);
  assert.equal(o.crypto, 'rc4');
  assert.deepEqual(o.ltProfiles, ['high_performance_seed']);
  assert.equal(o.jsonOut, 'out.json');
});

test('out-of-range and malformed values are refused with the flag named', () => {
  for (const [args, re] of [
    [['--size-mib', '0'], /--size-mib: 0 is outside/],
    [['--size-mib', '1025'], /--size-mib: 1025 is outside/],
    [['--n', '1,x'], /--n: expected an integer/],
    [['--n', '1,257'], /--n: 257 is outside/],
    [['--crypto', 'rot13'], /--crypto: expected plain or rc4/],
    [['--settle-s', 'soon'], /--settle-s: expected a number/],
    [['--bogus'], /bogus/],
  ] as const) {
    assert.throws(() => parseServeBenchOptions(args), (e: unknown) => e instanceof BenchOptionError && re.test(e.message), args.join(' '));
  }
});

test('decoy names are neutral numbered placeholders', () => {
  assert.deepEqual(placeholderNames(3), ['holiday-video-0001.mp4', 'holiday-video-0002.mp4', 'holiday-video-0003.mp4']);
});
