import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadSettings } from '../../../src/config/load.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { ObservationBus } from '../../../src/observation/bus.ts';
import { ObservationRecorder } from '../../../src/observation/recorder.ts';
import { ThreadWriter } from '../../../src/observation/thread-writer.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleAnnounce, sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

const isRoot = process.getuid?.() === 0;

/** Fills the file system holding `dir` with one file; returns its path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (let i = 0; i < 100_000; i++) writeSync(fd, block); // bounded: 6 GB, far more than the tmpfs
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally { closeSync(fd); }
  return path;
}

it('a full disk (a tmpfs of our own): the real error, reported at a backoff, a bounded backlog with drops counted, nothing quarantined, and after space is freed everything held is written and the chain verifies',
  { skip: isRoot ? false : 'needs root to mount a tmpfs' }, async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'cs-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
    const dbPath = join(mnt, 'counterseed.db');
    const main = new SqliteStore(dbPath);
    let writer: ThreadWriter | undefined;
    try {
      const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
      main.insertPayload({ id: d.payloadId, size: d.size, label: 'p', mediaType: 'video/mp4', addedAt: 1 });
      const [decoy] = await main.insertDecoys([d], 1);
      const logs: string[] = [];
      writer = await ThreadWriter.start({ dbPath, settings: loadSettings({ flags: { dataDir: mnt }, env: {} }), log: (m) => logs.push(m) });
      const bus = new ObservationBus({ capacity: 3000 });
      const recorder = new ObservationRecorder({ bus, writer, log: (m) => logs.push(m) }, { flushIntervalMs: 20, maxRetryMs: 50 });
      let port = 0;
      const publish = (n: number) => {
        for (let i = 0; i < n; i++, port++) bus.publish(port % 5 === 0 ? { ...sampleAnnounce(decoy!.infoHash, decoy!.id), remotePort: port } : sampleDelivery(decoy!.id, decoy!.infoHash, { remotePort: port, startedAt: 1_764_000_000_000 + port }));
      };
      publish(1000);
      await recorder.flush();
      assert.equal(recorder.written, 1000);

      const filler = fill(mnt);
      const t0 = Date.now();
      // 40 rounds of 500 while the disk is full: 20,000 observations into a bus of 3,000.
      for (let round = 0; round < 40; round++) {
        publish(500);
        await recorder.flush({ retryNow: true });
        assert.ok(bus.size <= bus.capacity, `backlog ${bus.size} within ${bus.capacity}`);
      }
      assert.match(recorder.fault ?? '', /database or disk is full/);
      const failing = logs.filter((m) => /^evidence store (still )?failing/.test(m));
      assert.match(failing[0]!, /^evidence store failing: database or disk is full/);
      // Once, then 1, 2, 4, 8 s later...: about 2 + log2(seconds) lines, not one per retry.
      const seconds = (Date.now() - t0) / 1000;
      assert.ok(failing.length <= 2 + Math.log2(Math.max(1, seconds)), `${failing.length} error lines for 40 retries in ${seconds} s`);
      assert.ok(!logs.some((m) => /cannot rollback/.test(m)));
      const dropped = bus.droppedTotal;
      assert.ok(dropped >= 20_000 - 3000, `${dropped} dropped`);

      unlinkSync(filler);
      const report = await recorder.stop();
      await writer.stop();
      assert.equal(recorder.fault, undefined);
      assert.deepEqual(report.unwritten, {});
      assert.deepEqual(report.countersUnwritten, {});
      assert.equal(report.written, 21_000 - dropped);

      const counters = await main.counters();
      assert.equal((counters['observations.dropped.delivery'] ?? 0) + (counters['observations.dropped.tracker-announce'] ?? 0), dropped, 'every drop counted in the store');
      assert.equal(Number(main.database.prepare('SELECT COUNT(*) AS n FROM observation_quarantine').get()!.n), 0, 'nothing valid quarantined');
      const rows = Number(main.database.prepare('SELECT (SELECT COUNT(*) FROM deliveries) + (SELECT COUNT(*) FROM tracker_announces) AS n').get()!.n);
      assert.equal(rows, report.written, 'each observation written once');
      // The chain covers every row (plus the writer's clock records), re-derives from them, and signs.
      const ev = openEvidence(main, mnt, { create: false });
      const size = ev.table.count();
      assert.ok(size >= rows);
      assert.equal([...ev.table.range(0, size)].length, size);
      assert.equal(ev.log.checkpoint('manual').treeSize, size);
      ev.detach();
    } finally {
      await writer?.stop();
      await main.close();
      execFileSync('umount', [mnt]);
      rmdirSync(mnt);
    }
  });

it('seed: SIGTERM while the disk is still full says what could not be written, with numbers, and exits 74',
  { skip: isRoot ? false : 'needs root to mount a tmpfs' }, async () => {
    const { spawn, spawnSync } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const { createInterface } = await import('node:readline');
    const { httpAnnounce } = await import('../../../src/bittorrent/tracker/client/http-client.ts');
    const { infoHashFromHex } = await import('../../../src/domain/info-hash.ts');
    const MAIN = new URL('../../../src/cli/main.ts', import.meta.url).pathname;
    const mnt = mkdtempSync(join(tmpdir(), 'cs-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]);
    let child: ReturnType<typeof spawn> | undefined;
    try {
      const data = join(mnt, 'data');
      writeFileSync(join(mnt, 'names.txt'), 'holiday-video-0042.mp4\n');
      assert.equal(spawnSync(process.execPath, [MAIN, '--data', data, 'decoys', 'build', '--names', join(mnt, 'names.txt')]).status, 0);
      const [decoy] = JSON.parse(spawnSync(process.execPath, [MAIN, '--data', data, 'decoys', 'list', '--json'], { encoding: 'utf8' }).stdout) as { infoHash: string; size: number }[];
      // 200 announces in about a second from 127.0.0.1: above the default record budgets (200/s, 50/s per
      // source), whose surplus would be one aggregate record; this test counts the announces one by one.
      child = spawn(process.execPath, [MAIN, '--data', data, 'seed', '--port', '0', '--tracker-server', '0', '--flush-interval', '50',
        '--records-per-second', '1000', '--records-per-source', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
      const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
      const line = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`seed did not become ready: ${stderr}`)), 20_000);
        createInterface({ input: child!.stdout! }).on('line', (l) => { if (l.startsWith('ready ')) { clearTimeout(t); resolve(l); } });
      });
      const ready = JSON.parse(line.slice(6)) as { trackerHttp: string };
      const filler = fill(mnt);
      try {
        // 200 announces, each one a tracker-announce observation the full disk cannot take.
        for (let i = 0; i < 200; i++) {
          await httpAnnounce(ready.trackerHttp, { infoHash: infoHashFromHex(decoy!.infoHash), peerId: new Uint8Array(20).fill(i % 250), port: 1024 + i, uploaded: 0, downloaded: 0, left: decoy!.size, event: 'started', compact: true });
        }
        await new Promise((r) => setTimeout(r, 500));
        child.kill('SIGTERM');
        assert.equal(await exited, 73, stderr); // evidence lost: its own code, not 74 (the system refused)
      } finally { unlinkSync(filler); }
      assert.match(stderr, /evidence store failing: database or disk is full/);
      const m = /NOT WRITTEN: (\d+) observations \(tracker-announce (\d+)\).*database or disk is full/.exec(stderr);
      assert.ok(m, stderr);
      assert.ok(Number(m[1]) >= 200 && Number(m[1]) === Number(m[2]), stderr);
      assert.match(stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stopped; \d+ observations written, 0 dropped$/m);
      assert.ok(!/cannot rollback/.test(stderr));
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      execFileSync('umount', ['-l', mnt]);
      rmdirSync(mnt);
    }
  });
