import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

const run = promisify(execFile);
const unavailable = await pgUnavailable();

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

describe('centre through the CLI: centre serve, centre register, seed --centre, centre status', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_cli_centre');
  const store = `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const node = mkdtempSync(join(tmpdir(), 'cs-cli-node-'));
  const centreData = mkdtempSync(join(tmpdir(), 'cs-cli-centre-'));
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await dropSchema(schema);
    rmSync(node, { recursive: true, force: true });
    rmSync(centreData, { recursive: true, force: true });
  });

  it('a seed node ships its records to the centre, which verifies them and shows the node', async () => {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA "${schema}"`);
    await c.end();
    await run(process.execPath, ['src/cli/main.ts', '--data', node, 'init']);
    const reg = await run(process.execPath, ['src/cli/main.ts', '--data', centreData, '--store', store, 'centre', 'register', '--key', join(node, 'keys', 'node-ed25519.pub.pem'), '--label', 'node-a']);
    assert.match(reg.stdout, /^registered node [0-9a-f]{64}$/m);
    const centre = start(['--data', centreData, '--store', store, 'centre', 'serve', '--listen', '127.0.0.1:0'], /^centre listening at /);
    children.push(centre.child);
    const url = (await centre.line).replace('centre listening at ', '');
    const seed = start(['--data', node, 'seed', '--port', '0', '--centre', url], /^ready /);
    children.push(seed.child);
    await seed.line;
    // The node's start records (clock statement) and its start checkpoint reach the centre.
    let status: { nodes: { label: string; acked: number; checkpointsVerified: number; gaps: unknown[] }[] } = { nodes: [] };
    for (let i = 0; i < 100; i++) {
      status = JSON.parse((await run(process.execPath, ['src/cli/main.ts', '--data', centreData, '--store', store, 'centre', 'status', '--json'])).stdout);
      if (status.nodes[0]!.acked > 0 && status.nodes[0]!.checkpointsVerified > 0) break;
      await sleep(200);
    }
    const [n] = status.nodes;
    assert.equal(n!.label, 'node-a');
    assert.ok(n!.acked > 0, 'records acknowledged');
    assert.ok(n!.checkpointsVerified > 0, 'the node\'s checkpoint verified at the centre');
    assert.deepEqual(n!.gaps, []);
    seed.child.kill('SIGTERM');
    centre.child.kill('SIGTERM');
    await Promise.all([seed, centre].map((p) => new Promise((r) => (p.child.exitCode !== null ? r(null) : p.child.once('exit', r)))));
    assert.equal(centre.child.exitCode, 0, centre.out.join('\n'));
  });
});
