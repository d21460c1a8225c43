import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WirePeer } from '../../helpers/wire-peer.ts';

/** The real launcher: `exec`s Node, so the child's pid is the node process that kill -9 hits. */
const BIN = fileURLToPath(new URL('../../../bin/counterseed', import.meta.url));
const BLOCK = 16384;
const cli = (...args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function dataDirWithDecoy(size: number) {
  const data = mkdtempSync(join(tmpdir(), 'cs-crash-'));
  writeFileSync(join(data, 'names.txt'), `holiday-video-0042.mp4,${size}\n`);
  const built = cli('--data', data, 'decoys', 'build', '--names', join(data, 'names.txt'));
  assert.equal(built.status, 0, built.stderr);
  const [decoy] = JSON.parse(cli('--data', data, 'decoys', 'list', '--json').stdout) as { id: number; infoHash: string; size: number; pieceLength: number }[];
  return { data, decoy: decoy! };
}

function startSeed(data: string, ...flags: string[]): { child: ChildProcess; ready: Promise<{ peerPort: number }>; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(BIN, ['--data', data, 'seed', '--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = new Promise<{ peerPort: number }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`seed did not become ready: ${err}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (l) => { if (l.startsWith('ready ')) { clearTimeout(t); resolve(JSON.parse(l.slice(6)) as { peerPort: number }); } });
    void exited.then((c) => { clearTimeout(t); reject(new Error(`seed exited ${c} before ready: ${err}`)); });
  });
  return { child, ready, exited, stderr: () => err };
}

const query = (data: string, sql: string, ...args: (string | number)[]) => {
  const db = new DatabaseSync(join(data, 'counterseed.db'), { readOnly: true });
  try { return db.prepare(sql).all(...args); } finally { db.close(); }
};
const count = (data: string, table: string) => Number(query(data, `SELECT COUNT(*) AS n FROM ${table}`)[0]!.n);

/** Issue 17: defect 6 (kill -9 lost every open session) and item 10 (one data directory, one writer). */
describe('seed: crashes, restarts, a second writer, a taken port', { timeout: 120_000 }, () => {
  it('kill -9 during an open session: after restart the session is there with its progress, and the unclean shutdown is recorded with it', async () => {
    const { data, decoy } = dataDirWithDecoy(1 << 20);
    // 128 KiB/s: the 1 MiB decoy takes ~8 s; progress every 500 ms, written every 100 ms.
    const flags = ['--upload-rate', String(128 * 1024), '--progress-interval', '500', '--flush-interval', '100'];
    const first = startSeed(data, ...flags);
    let restarted: ReturnType<typeof startSeed> | undefined;
    try {
      const { peerPort } = await first.ready;
      const start = query(data, "SELECT tree_size FROM evidence_checkpoints WHERE reason = 'start'");
      assert.equal(start.length, 1, 'a checkpoint is signed at start, before the first periodic one');

      // A downloader on an independent implementation (bittorrent-protocol), fetching the whole decoy.
      const peer = await WirePeer.download(peerPort, decoy, '-LT2080-abcdefghijkl');
      for (let i = 0; i < 100 && !peer.handshaken; i++) await sleep(50);
      assert.ok(peer.handshaken, 'the session is open');
      // What the peer had received, over time: the record must cover at least what had arrived
      // one progress interval + one flush interval (+ 1 s of slack for a machine shared with other jobs) before the kill.
      const received: [number, number][] = [];
      const pieces = () => peer.bytes;
      for (let i = 0; i < 35; i++) { received.push([Date.now(), pieces()]); await sleep(100); }
      assert.ok(pieces() > 0 && pieces() < decoy.size, `the session is open and mid-transfer (${pieces()} bytes)`);
      // The run's first records (the session's open record) were signed soon after they were written, not after 300 s.
      const signed = query(data, "SELECT tree_size FROM evidence_checkpoints WHERE reason = 'periodic'");
      assert.ok(signed.length >= 1 && Number(signed[0]!.tree_size) > Number(start[0]!.tree_size), 'a checkpoint after the first records');
      const killedAt = Date.now();
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, null);
      const bound = Math.max(...received.filter(([t]) => t <= killedAt - 500 - 100 - 1000).map(([, b]) => b));
      assert.ok(bound > 0, 'the peer had data well before the kill');
      const atKill = pieces();

      restarted = startSeed(data, ...flags);
      await restarted.ready;
      const u = query(data, 'SELECT * FROM unclean_shutdowns');
      assert.equal(u.length, 1, 'the unclean stop is recorded');
      assert.equal(Number(u[0]!.open_sessions), 1);
      const links = Number(query(data, 'SELECT MAX(first_seq + count) AS n FROM evidence_runs')[0]!.n);
      assert.ok(Number(u[0]!.last_seq) < links);
      const rows = query(data, 'SELECT phase, bytes_served, remote_port, session_id FROM session_progress ORDER BY id');
      assert.equal(rows[0]!.phase, 'open');
      assert.equal(Number(rows[0]!.remote_port), peer.localPort);
      assert.ok(rows.some((r) => r.phase === 'progress'), 'progress was recorded while the session was open');
      const lost = rows.at(-1)!;
      assert.equal(lost.phase, 'interrupted');
      assert.equal(lost.session_id, rows[0]!.session_id);
      const recorded = Number(lost.bytes_served);
      assert.ok(recorded >= bound && recorded <= atKill + 64 * BLOCK, `recorded ${recorded} bytes; the peer had ${bound} one interval before the kill, ${atKill} at the kill`);
      assert.equal(count(data, 'deliveries'), 0, 'the session never ended: no delivery record');

      // A second node on the same data directory is refused, with the message and exit code 75, and writes nothing.
      const before = count(data, 'evidence_runs');
      const second = cli('--data', data, 'seed', '--port', '0');
      assert.equal(second.status, 75, second.stderr);
      assert.match(second.stderr, /data directory .* is in use by another node \(seed, pid \d+/);
      assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(count(data, 'evidence_runs'), before);
      // The lab is refused even before the lock: this is a directory of real evidence (issue 15 item 2, exit 77).
      const lab = cli('--data', data, 'lab', '--duration', '1');
      assert.equal(lab.status, 77, lab.stderr);
      assert.match(lab.stderr, /holds real evidence/);

      restarted.child.kill('SIGTERM');
      assert.equal(await restarted.exited, 0, restarted.stderr());
      peer.close();
      // The exported package (every record of the peer's address) verifies with the new kinds in it.
      const out = join(data, 'pkg');
      const exp = cli('--data', data, 'evidence', 'export', '--ip', '127.0.0.1', '--out', out);
      assert.equal(exp.status, 0, exp.stderr);
      const ver = cli('--data', data, 'evidence', 'verify', out);
      assert.equal(ver.status, 0, ver.stdout + ver.stderr);
      // A clean stop leaves nothing to recover.
      const third = startSeed(data);
      await third.ready;
      third.child.kill('SIGTERM');
      assert.equal(await third.exited, 0);
      assert.equal(query(data, 'SELECT * FROM unclean_shutdowns').length, 1);
    } finally {
      for (const c of [first.child, restarted?.child]) if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  });

  it('the peer port is taken: exit 75 naming it, and nothing is written (no clock record, no checkpoint, no run)', async () => {
    const { data } = dataDirWithDecoy(200_000);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = cli('--data', data, 'seed', '--port', String(port));
      assert.equal(r.status, 75, r.stderr);
      assert.match(r.stderr, new RegExp(`peer port 127\\.0\\.0\\.1:${port}: address already in use`));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      for (const t of ['clock_statements', 'evidence_checkpoints', 'evidence_runs', 'node_runs', 'run_markers', 'session_progress']) assert.equal(count(data, t), 0, `${t} is empty`);
    } finally { blocker.close(); }
  });

  it('a bind address this host lacks: exit 2 naming it, nothing written', () => {
    const { data } = dataDirWithDecoy(200_000);
    // 198.51.100.0/24 (TEST-NET-2, RFC 5737) is on no interface here: the bind fails before any socket exists, nothing is sent.
    const r = cli('--data', data, '--mode', 'live', 'seed', '--bind', '198.51.100.7', '--port', '0');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /peer port 198\.51\.100\.7:0: this host has no such address/);
    for (const t of ['clock_statements', 'evidence_checkpoints', 'node_runs', 'run_markers']) assert.equal(count(data, t), 0, `${t} is empty`);
  });
});
