import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { httpAnnounce } from '../../../src/bittorrent/tracker/client/http-client.ts';
import { stamped, statusLine } from '../../../src/cli/commands/seed.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import { RawPeer } from '../../helpers/raw-peer.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
const data = mkdtempSync(join(tmpdir(), 'cs-seed-log-'));
after(() => rmSync(data, { recursive: true, force: true }));
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

it('stamped: every line of a message gets the UTC time, ISO 8601 with Z, whatever TZ says', () => {
  const out: string[] = [];
  stamped((t) => out.push(t), () => Date.UTC(2026, 11, 6, 2, 12, 40, 5))('one\ntwo');
  assert.deepEqual(out, ['2026-12-06T02:12:40.005Z one\n2026-12-06T02:12:40.005Z two']);
  assert.equal(statusLine({ connections: 2, deliveries: 3, bytesServed: 4_500_000, announces: 7, dropped: 0, written: 12 }),
    'status: 2 connections, 3 deliveries (4.5 MB served), 7 announces, 0 dropped, 12 observations written');
});

it('seed logs with UTC timestamps and a periodic status line that counts peers\' deliveries and announces, not its own (issue 15 item 12)', async () => {
  writeFileSync(join(data, 'names.txt'), 'holiday-video-0042.mp4\n');
  assert.equal(cli('--data', data, 'decoys', 'build', '--names', join(data, 'names.txt')).status, 0);
  const [decoy] = JSON.parse(cli('--data', data, 'decoys', 'list', '--json').stdout) as { infoHash: string; size: number }[];
  const child = spawn(process.execPath, [MAIN, '--data', data, 'seed', '--port', '0', '--tracker-server', '0', '--status-interval', '1'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'Europe/Oslo' } });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`seed did not become ready: ${stderr}`)), 20_000);
      createInterface({ input: child.stdout! }).on('line', (l) => { if (l.startsWith('ready ')) { clearTimeout(t); resolve(l); } });
    });
    const ready = JSON.parse(line.slice(6)) as { peerPort: number; trackerHttp: string };
    const infoHash = infoHashFromHex(decoy!.infoHash);
    // One peer announce and one peer session (a handshake, then gone).
    await httpAnnounce(ready.trackerHttp, { infoHash, peerId: new Uint8Array(20).fill(7), port: 50000, uploaded: 0, downloaded: 0, left: decoy!.size, event: 'started', compact: true });
    const peer = await RawPeer.connect(ready.peerPort);
    await peer.sendHandshake(infoHash, new Uint8Array(Buffer.from('-LT2080-abcdefghijkl', 'latin1')));
    await peer.waitFor('have-all');
    peer.close();
    // Bounded wait for a status line that has seen both.
    for (let i = 0; i < 100 && !/status: \d+ connections, 1 deliveries \([\d.]+ MB served\), 1 announces, 0 dropped, \d+ observations written/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, /status: 0 connections, 1 deliveries \([\d.]+ MB served\), 1 announces, 0 dropped, \d+ observations written/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
  const lines = stderr.trimEnd().split('\n');
  assert.ok(lines.length >= 4, stderr);
  for (const l of lines) assert.match(l, ISO_Z, `every log line starts with its UTC time: ${l}`);
  assert.ok(lines.some((l) => / serving 1 decoys on /.test(l)));
  assert.match(lines.at(-1)!, / stopped; \d+ observations written, 0 dropped$/);
});
