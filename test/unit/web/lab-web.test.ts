import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cs-lab-web-'));
after(() => rmSync(root, { recursive: true, force: true }));

it('lab ends by offering the web app on 127.0.0.1 with printed demo accounts; the analyst sees the lab results; Ctrl-C stops both', { timeout: 180_000 }, async () => {
  const { COUNTERSEED_DATA: _, XDG_DATA_HOME: __, ...env } = process.env;
  const child = spawn(process.execPath, [MAIN, 'lab', '--web', '--duration', '4', '--decoys', '2', '--downloaders', '6', '--concurrency', '2', '--sources', '3', '--data', join(root, 'lab')],
    { env: { ...env, HOME: join(root, 'home') }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.resume();
  const ready = new Promise<{ url: string; password: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no web app offered:\n${out}`)), 150_000);
    child.stdout.on('data', (c: string) => {
      out += c;
      const url = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      const password = /demo-analyst \/ (\S+) \(analyst\)/.exec(out)?.[1];
      if (url && password) { clearTimeout(timer); resolve({ url, password }); }
    });
    child.once('exit', () => { clearTimeout(timer); reject(new Error(`lab exited before offering the web app:\n${out}`)); });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const { url, password } = await ready;
    assert.match(out, /LAB DATA - simulated, not evidence/);
    const origin = url.replace(/\/$/, '');
    const login = await fetch(`${origin}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ username: 'demo-analyst', password }) });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const overview = (await (await fetch(`${origin}/api/overview`, { headers: { cookie } })).json()) as { decoysServed: number };
    assert.ok(overview.decoysServed >= 1, 'the lab results are there');
    const page = await (await fetch(`${origin}/`, { headers: { cookie } })).text();
    assert.match(page, /LAB DATA/, 'every page says it is lab data');
  } finally {
    child.kill('SIGINT');
  }
  const code = await exited;
  assert.notEqual(code, null, 'lab stopped on Ctrl-C (not killed)');
});
