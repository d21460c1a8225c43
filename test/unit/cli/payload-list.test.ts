import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cs-payload-list-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('payload list shows the registered warning videos apart from the variants builds derive (issue 15 item 12)', () => {
  const data = join(dir, 'data');
  const cli = (...a: string[]) => spawnSync(process.execPath, [MAIN, '--data', data, ...a], { encoding: 'utf8', timeout: 60_000 });
  writeFileSync(join(dir, 'names.csv'), 'name,size\nholiday-video-0001.zip,\ngarden-party-0002.txt,\n');
  assert.equal(cli('decoys', 'build', '--names', join(dir, 'names.csv')).status, 0);

  const table = cli('payload', 'list');
  assert.equal(table.status, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^payload \(SHA-256\) +bytes +media type +label$/);
  assert.equal(lines.length, 3, table.stdout);
  assert.match(lines[1]!, /^[0-9a-f]{64} +\d+ +video\/mp4 +warning-no-en\.mp4 +\(2 derived variants: (zip, txt|txt, zip)\)$/);
  assert.equal(lines[2], '1 registered payload');

  const all = cli('payload', 'list', '--variants');
  const vl = all.stdout.trimEnd().split('\n');
  assert.equal(vl.length, 5, all.stdout);
  const source = /^([0-9a-f]{64})/.exec(vl[1]!)![1]!;
  for (const l of vl.slice(2, 4)) assert.match(l, new RegExp(`^  [0-9a-f]{64} +\\d+ +.+ variant (zip|txt) of ${source.slice(0, 12)}…$`), "media types may hold spaces (text/plain; charset=utf-8)");
  assert.equal(vl[4], '1 registered payload, 2 derived variants');

  type Entry = { kind: string; label: string; sourceId?: string; format?: string; variantFormats?: string[] };
  const json = JSON.parse(cli('payload', 'list', '--json').stdout) as Entry[];
  assert.deepEqual(json.map((p) => [p.kind, p.label, [...p.variantFormats ?? []].sort()]), [['registered', 'warning-no-en.mp4', ['txt', 'zip']]]);
  const withVariants = JSON.parse(cli('payload', 'list', '--json', '--variants').stdout) as Entry[];
  assert.deepEqual(withVariants.map((p) => p.kind), ['registered', 'variant', 'variant']);
  assert.deepEqual(withVariants.slice(1).map((p) => [p.sourceId, p.format]).sort(), [[source, 'txt'], [source, 'zip']]);
});
