import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadSettings } from '../../../src/config/load.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { ObservationBus } from '../../../src/observation/bus.ts';
import { ObservationRecorder } from '../../../src/observation/recorder.ts';
import { CHUNK, ThreadWriter } from '../../../src/observation/thread-writer.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

it('the writer thread writes and chains batches bigger than a chunk, signs a shutdown checkpoint, and the main connection reads them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-writer-'));
  const dbPath = join(dir, 'counterseed.db');
  const main = new SqliteStore(dbPath);
  const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
  main.insertPayload({ id: d.payloadId, size: d.size, label: 'p', mediaType: 'video/mp4', addedAt: 1 });
  const [decoy] = await main.insertDecoys([d], 1);
  const writer = await ThreadWriter.start({ dbPath, settings: loadSettings({ flags: { dataDir: dir }, env: {} }), log: () => {} });
  assert.match(writer.fingerprint ?? '', /^[0-9a-f]{64}$/);
  const bus = new ObservationBus({ capacity: 10_000 });
  const recorder = new ObservationRecorder({ bus, writer }, { flushIntervalMs: 10_000, maxBatch: 3 * CHUNK + 7 });
  const n = 4 * CHUNK + 11;
  for (let i = 0; i < n; i++) bus.publish(sampleDelivery(decoy!.id, decoy!.infoHash, { remotePort: i, startedAt: 1_764_000_000_000 + i }));
  const report = await recorder.stop();
  await writer.stop();
  assert.equal(report.written, n);
  const ports = (await main.queryDeliveries()).map((o) => o.remotePort);
  assert.deepEqual(ports, Array.from({ length: n }, (_, i) => i), 'every observation once, in order');
  const ev = openEvidence(main, dir, { create: false });
  const size = ev.table.count();
  assert.equal([...ev.table.range(0, size)].length, size, 'every record re-derives from its row');
  assert.equal(ev.table.latestCheckpoint()?.reason, 'shutdown');
  assert.equal(ev.table.latestCheckpoint()?.treeSize, size);
  ev.detach();
  await main.close();
});

it('a writer thread that cannot open its database fails start-up with the reason, and ends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-writer-'));
  writeFileSync(join(dir, 'not-a-directory'), 'x');
  await assert.rejects(
    ThreadWriter.start({ dbPath: join(dir, 'not-a-directory', 'counterseed.db'), settings: loadSettings({ flags: { dataDir: dir }, env: {} }), log: () => {} }),
    /the evidence writer could not open .*not-a-directory.*(EEXIST|ENOTDIR)/,
  );
});

it('the writer thread never keeps the process alive by itself: seed on a port already taken exits at once', async () => {
  const { spawnSync } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const MAIN = new URL('../../../src/cli/main.ts', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'cs-writer-'));
  writeFileSync(join(dir, 'names.txt'), 'holiday-video-0042.mp4\n');
  assert.equal(spawnSync(process.execPath, [MAIN, '--data', dir, 'decoys', 'build', '--names', join(dir, 'names.txt')]).status, 0);
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  try {
    const port = (taken.address() as { port: number }).port;
    const { spawn } = await import('node:child_process');
    // Asynchronous spawn: this process keeps serving the taken port while the seed tries it.
    const child = spawn(process.execPath, [MAIN, '--data', dir, 'seed', '--port', String(port)], { stdio: 'ignore' });
    const code = await new Promise<number | null | 'hung'>((resolve) => {
      const t = setTimeout(() => { child.kill('SIGKILL'); resolve('hung'); }, 15_000);
      child.once('exit', (c) => { clearTimeout(t); resolve(c); });
    });
    assert.notEqual(code, 'hung', 'the process exited');
    assert.notEqual(code, 0);
  } finally {
    taken.close();
  }
});
