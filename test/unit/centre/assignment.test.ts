import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

const unavailable = await pgUnavailable();

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, ['src/cli/main.ts', ...args], (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr })));
}

function start(args: string[], ready: RegExp): { child: ChildProcess; line: Promise<string>; out: string[] } {
  const child = spawn(process.execPath, ['src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const line = new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) { const l = buf.slice(0, i); out.push(l); if (ready.test(l)) resolve(l); }
    });
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out.join('\n')}`)));
  });
  return { child, line, out };
}

interface Status { nodes: { label: string; assigned: string[]; lastPull: number | null; health: { campaigns: string[]; problems: string[]; inbound: unknown[]; adapters: { network: string; decoys: number; connections: number; listening: string[] }[] } | null }[] }

describe('assignment: the centre assigns a campaign, the running node pulls it, builds and serves its decoys, and reports its health', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_assign');
  const store = `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const node = mkdtempSync(join(tmpdir(), 'cs-assign-node-'));
  const centreData = mkdtempSync(join(tmpdir(), 'cs-assign-centre-'));
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await dropSchema(schema);
    rmSync(node, { recursive: true, force: true });
    rmSync(centreData, { recursive: true, force: true });
  });
  const centre = (...args: string[]) => cli(['--data', centreData, '--store', store, 'centre', ...args]);

  it('assign, pull at start, serve, status; unknown nodes and bad lists refused', async () => {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA "${schema}"`);
    await c.end();
    assert.equal((await cli(['--data', node, 'init'])).code, 0);
    assert.equal((await centre('register', '--key', join(node, 'keys', 'node-ed25519.pub.pem'), '--label', 'node-a')).code, 0);
    const list = join(centreData, 'spring.csv');
    writeFileSync(list, 'holiday-video-0042.mp4\nholiday-video-0043.mp4\n');
    const nobody = await centre('assign', 'spring', '--node', 'node-b', '--names', list, '--per-day', '5', '--ttl', '30');
    assert.equal(nobody.code, 3, `an unknown node is not found: ${nobody.stderr}`);
    const badList = join(centreData, 'bad.csv');
    writeFileSync(badList, 'holiday-video-0042.mp4,not-a-size\n');
    assert.equal((await centre('assign', 'bad', '--node', 'node-a', '--names', badList, '--per-day', '5', '--ttl', '30')).code, 2, 'a list campaign create refuses is refused here');
    const ok = await centre('assign', 'spring', '--node', 'node-a', '--names', list, '--per-day', '5', '--ttl', '30');
    assert.equal(ok.code, 0, ok.stderr);

    const serve = start(['--data', centreData, '--store', store, 'centre', 'serve', '--listen', '127.0.0.1:0'], /^centre listening at /);
    children.push(serve.child);
    const url = (await serve.line).replace('centre listening at ', '');
    const seed = start(['--data', node, 'seed', '--port', '0', '--centre', url], /^ready /);
    children.push(seed.child);
    await seed.line;
    let status: Status = { nodes: [] };
    for (let i = 0; i < 150; i++) {
      const r = await centre('status', '--json');
      assert.equal(r.code, 0, `centre status: ${r.stderr}`);
      status = JSON.parse(r.stdout) as Status;
      if (status.nodes[0]?.health?.campaigns.includes('spring')) break;
      await sleep(200);
    }
    const [n] = status.nodes;
    assert.deepEqual(n!.assigned, ['spring']);
    assert.ok(n!.lastPull !== null, 'the node pulled');
    assert.deepEqual(n!.health!.campaigns, ['spring'], `the node reports running the campaign\n${seed.out.join('\n')}`);
    assert.deepEqual(n!.health!.problems, []);
    assert.deepEqual(n!.health!.inbound, [], 'no peer has connected yet');
    const bt = n!.health!.adapters.find((a) => a.network === 'bittorrent')!;
    assert.equal(bt.decoys, 2, 'the node serves the campaign\'s two decoys');
    assert.equal(bt.connections, 0);
    assert.ok(bt.listening.length > 0, 'where the node listens is reported');
    const text = (await centre('status')).stdout;
    assert.match(text, /node-a: pulled .*; assigned: spring; runs: spring/);
    assert.match(text, /bittorrent: 0 inbound connection\(s\) on .*; 2 decoys/);

    seed.child.kill('SIGTERM');
    await new Promise((r) => seed.child.once('exit', r));
    const names = (JSON.parse((await cli(['--data', node, 'decoys', 'list', '--json'])).stdout) as { name: string }[]).map((d) => d.name).sort();
    assert.deepEqual(names, ['holiday-video-0042.mp4', 'holiday-video-0043.mp4'], 'the node built the assigned names, once');
    const again = await cli(['--data', node, 'centre', 'pull', '--centre', url]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /assigned campaigns here: spring$/m, 'a second pull creates nothing');
    assert.equal((await centre('unassign', 'spring', '--node', 'node-a')).code, 0);
    assert.equal((await centre('unassign', 'spring', '--node', 'node-a')).code, 3, 'not assigned any more');
    const unassigned = JSON.parse((await centre('status', '--json')).stdout) as Status;
    assert.deepEqual(unassigned.nodes[0]!.assigned, [], 'the centre no longer lists it');

    // The node's next pull stops the campaign: its decoys are retired (a running node stops serving them at its next sync), nothing more is released.
    const stop = await cli(['--data', node, 'centre', 'pull', '--centre', url]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /assigned campaigns here: none$/m);
    assert.match(stop.stdout, /stopped \(unassigned at the centre\): spring$/m);
    const decoys = JSON.parse((await cli(['--data', node, 'decoys', 'list', '--json'])).stdout) as { name: string; status: string }[];
    assert.deepEqual(decoys.map((d) => d.status), ['retired', 'retired'], 'the campaign\'s decoys are retired');
    const campaign = JSON.parse((await cli(['--data', node, 'campaign', 'list', '--json'])).stdout) as { name: string; stoppedAt: number | null; active: number }[];
    assert.equal(campaign[0]!.name, 'spring');
    assert.ok(campaign[0]!.stoppedAt !== null && campaign[0]!.active === 0, `stopped, no active decoys: ${JSON.stringify(campaign)}`);
    const quiet = await cli(['--data', node, 'centre', 'pull', '--centre', url]);
    assert.doesNotMatch(quiet.stdout, /stopped/, 'a second pull stops nothing more');
    // Assigned again under the same name: not restarted, reported.
    assert.equal((await centre('assign', 'spring', '--node', 'node-a', '--names', list, '--per-day', '5', '--ttl', '30')).code, 0);
    const reassigned = await cli(['--data', node, 'centre', 'pull', '--centre', url]);
    assert.equal(reassigned.code, 1);
    assert.match(reassigned.stderr, /spring: stopped here .* assign it under a new name/);
    serve.child.kill('SIGTERM');
    await new Promise((r) => serve.child.once('exit', r));
  });
});
