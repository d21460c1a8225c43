import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { runLabMode } from '../../../src/app/lab.ts';
import { loadSettings } from '../../../src/config/load.ts';

const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'UDPWrap').length;

it('lab stopped while its node waits for the first announces leaves no server listening (SIGINT at start-up)', async () => {
  const settings = loadSettings({ flags: { dataDir: join(mkdtempSync(join(tmpdir(), 'cs-lab-stop-')), 'data') }, env: {} });
  const before = servers();
  const ac = new AbortController();
  const log = (m: string) => { if (m.startsWith('lab: seeder on')) ac.abort(new Error('interrupted')); };
  await assert.rejects(runLabMode(settings, { durationS: 30, downloaders: 10, concurrency: 2, decoys: 2, sources: 2 }, { signal: ac.signal, log }));
  assert.ok(ac.signal.aborted, 'the node was started before the abort');
  // Closed handles leave the list on the next turns of the loop.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(servers(), before, 'the seeder and the tracker are closed');
});
