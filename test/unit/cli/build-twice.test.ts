import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cs-build-twice-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('the same list built twice is refused (exit 2, nothing built) unless --again (issue 15 item 9)', () => {
  const data = join(dir, 'data');
  const cli = (...a: string[]) => spawnSync(process.execPath, [MAIN, '--data', data, ...a], { encoding: 'utf8', timeout: 60_000 });
  const active = () => (JSON.parse(cli('decoys', 'list', '--json').stdout) as { name: string }[]).map((d) => d.name);
  writeFileSync(join(dir, 'list.csv'), 'holiday-video-0042.mp4,3000000\ngarden-party-0007.mp4,\n');
  writeFileSync(join(dir, 'more.csv'), 'holiday-video-0043.mp4,\ngarden-party-0007.mp4,\n');
  assert.equal(cli('decoys', 'build', '--names', join(dir, 'list.csv')).status, 0);

  const again = cli('decoys', 'build', '--names', join(dir, 'list.csv'));
  assert.equal(again.status, 2, again.stderr);
  assert.match(again.stderr, /2 name\(s\) of the list are already active decoys \("holiday-video-0042\.mp4", "garden-party-0007\.mp4"\).*Nothing was built; --again/);
  const overlap = cli('decoys', 'build', '--names', join(dir, 'more.csv'));
  assert.equal(overlap.status, 2, 'one name already active refuses the whole list');
  assert.deepEqual(active().sort(), ['garden-party-0007.mp4', 'holiday-video-0042.mp4']);

  assert.equal(cli('decoys', 'build', '--names', join(dir, 'more.csv'), '--again').status, 0);
  assert.deepEqual(active().sort(), ['garden-party-0007.mp4', 'garden-party-0007.mp4', 'holiday-video-0042.mp4', 'holiday-video-0043.mp4']);
  // A retired decoy's name is free again.
  assert.equal(cli('decoys', 'retire', '1').status, 0);
  writeFileSync(join(dir, 'one.csv'), 'holiday-video-0042.mp4,3000001\n');
  assert.equal(cli('decoys', 'build', '--names', join(dir, 'one.csv')).status, 0);
});
