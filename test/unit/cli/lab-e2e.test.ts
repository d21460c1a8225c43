import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const BIN = fileURLToPath(new URL('../../../bin/counterseed', import.meta.url));
/** Lab runs 10 s; start-up, decoy build and the final writes on a loaded 2-core machine need the rest. */
const TIMEOUT_MS = 120_000;

/** Runs bin/counterseed with a hard bound; the child is stopped by its PID if it overruns. */
function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const isLoopback = (ip: string) => /^127\./.test(ip) || ip === '::1';

it('lab --duration 10 through the real CLI: its printed counts are the store\'s, all on loopback', { timeout: TIMEOUT_MS + 10_000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-lab-e2e-'));
  // Lab's defaults (20 decoys, at most 200 downloads, 16 at a time); it ends at 10 s or when the downloads are done.
  const r = await runBin(['lab', '--duration', '10', '--data', data]);
  assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);

  const finished = /lab finished: (\d+)\/(\d+) simulated downloads completed \([\d.]+ MB\) against (\d+) decoys/.exec(r.stdout);
  const recorded = /evidence recorded: (\d+) delivery sessions from (\d+) IP addresses, (\d+) tracker announces/.exec(r.stdout);
  assert.ok(finished && recorded, r.stdout);
  const [ok, attempted, decoys] = finished.slice(1).map(Number) as [number, number, number];
  const [deliveries, ips, announces] = recorded.slice(1).map(Number) as [number, number, number];
  assert.match(r.stdout, new RegExp(`data directory: ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(PURPOSE lab`));
  assert.ok(ok > 0 && ok <= attempted, `${ok}/${attempted}`);
  assert.ok(deliveries >= ok, `every completed download is at least one delivery session: ${deliveries} < ${ok}`);

  // Lab binds loopback only: the seeder and the built-in tracker, as it logs them.
  const seeder = /lab: seeder on ([^\s]+):(\d+), tracker (\S+),/.exec(r.stderr);
  assert.ok(seeder, r.stderr);
  assert.equal(seeder[1], '127.0.0.1');
  assert.match(seeder[3]!, /^http:\/\/127\.0\.0\.1:\d+\/announce$/);

  // The store's own queries, on the data directory the run used (fresh, so everything in it is this run's).
  const store = new SqliteStore(join(data, 'counterseed.db'));
  try {
    const rows = await store.queryDeliveries();
    const ann = await store.queryAnnounces();
    assert.equal(rows.length, deliveries, 'delivery sessions printed = rows in the store');
    assert.equal(new Set(rows.map((d) => d.remoteIp)).size, ips, 'IP addresses printed = distinct remote IPs in the store');
    assert.equal(ann.length, announces, 'tracker announces printed = announces in the store');
    assert.equal((await store.listDecoys({ status: 'active' })).length, decoys, 'decoys printed = active decoys in the store');
    assert.deepEqual(rows.filter((d) => !isLoopback(d.remoteIp) || !isLoopback(d.localIp)).map((d) => `${d.remoteIp} -> ${d.localIp}`), []);
    assert.deepEqual(ann.filter((a) => !isLoopback(a.remoteIp)).map((a) => a.remoteIp), []);
  } finally { await store.close(); }
});
