import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('cli', () => {
  it('prints help for every level and exits 0', () => {
    for (const a of [['--help'], ['seed', '--help'], ['decoys', 'build', '--help'], ['deliveries', '--help']]) {
      const r = run(...a);
      assert.equal(r.status, 0, a.join(' '));
      assert.match(r.stdout, /Usage: counterseed/);
    }
  });

  it('reports bad input clearly with exit code 2', () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-cli-'));
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command/],
      [['--data', data, 'decoys', 'build'], /--names is required/],
      [['--data', data, 'decoys', 'build', '--names', join(data, 'missing.txt')], /cannot read name list/],
      [['--data', data, 'deliveries', '--since', 'yesterday'], /not an ISO 8601 time/],
      [['--data', data, 'deliveries', '--ip', '1.2.3'], /not an IP address/],
      [['--data', data, 'seed', '--port', 'x'], /seed\.port/],
      [['--data', data, 'seed', '--bogus'], /Unknown option '--bogus'/],
      // Issue 15 item 9: stray arguments, and a malformed fingerprint that was reported as tampering.
      [['--data', data, 'decoys', 'list', 'active'], /unexpected argument "active"/],
      [['--data', data, 'deliveries', '198.18.0.11'], /unexpected argument "198.18.0.11"/],
      [['--data', data, 'evidence', 'verify', data, '--key-fingerprint', 'xyz'], /--key-fingerprint: expected the 64 hex digits/],
    ];
    for (const [args, re] of cases) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });

  it('builds, lists and exports decoys; a bad name list imports nothing', () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-cli-'));
    const bad = join(data, 'bad.txt');
    writeFileSync(bad, 'holiday-video-0001.mp4\n../escape.mp4\nholiday-video-0001.mp4\n');
    const r1 = run('--data', data, 'decoys', 'build', '--names', bad);
    assert.equal(r1.status, 2);
    assert.match(r1.stderr, /line 2/);
    assert.match(r1.stderr, /line 3/);
    assert.deepEqual(JSON.parse(run('--data', data, 'decoys', 'list', '--json').stdout), []);

    const good = join(data, 'names.csv');
    writeFileSync(good, 'name,size\nholiday-video-0001.mp4,2000000\n"garden, party-0002.avi",\n');
    assert.equal(run('--data', data, 'decoys', 'build', '--names', good).status, 0);
    const list = JSON.parse(run('--data', data, 'decoys', 'list', '--json').stdout) as { name: string; infoHash: string }[];
    assert.deepEqual(list.map((d) => d.name), ['holiday-video-0001.mp4', 'garden, party-0002.avi']);
    const out = join(data, 'out');
    assert.equal(run('--data', data, 'decoys', 'export', '--out', out, '--tracker', 'http://127.0.0.1:6969/announce').status, 0);
    assert.deepEqual(readdirSync(out).sort(), [...list.map((d) => `${d.infoHash}.torrent`), 'magnets.txt'].sort());
    const magnets = readFileSync(join(out, 'magnets.txt'), 'utf8').trim().split('\n');
    assert.equal(magnets.length, 2);
    assert.match(magnets[0]!, new RegExp(`xt=urn:btih:${list[0]!.infoHash}`));
  });
});
