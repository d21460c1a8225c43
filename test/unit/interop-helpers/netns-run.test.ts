// scripts/netns-run.sh stops what a test left running in its namespace, however the test ended.
// Session 6 found two transmission-daemon processes still running 75 minutes after an interop run
// whose test process had been killed: netns-run.sh exec'd the command, so nothing was left to clean
// up. Each case below starts a background process inside the namespace and checks, by PID, that it
// is gone once netns-run.sh has returned. On the old script every case fails (the sleep survives).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const SCRIPT = new URL('../../../scripts/netns-run.sh', import.meta.url).pathname;
const canUnshare = spawnSync('unshare', process.getuid?.() === 0 ? ['--net', 'true'] : ['--net', '--map-root-user', 'true']).status === 0;
const skip = canUnshare ? false : 'this machine does not allow network namespaces (unshare --net)';

/** True while PID names a live (not zombie) process. */
const alive = (pid: number) => {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const state = readFileSync(`/proc/${pid}/stat`, 'latin1').replace(/^.*\) /, '')[0];
  return state !== 'Z' && state !== 'X';
};

/** Runs netns-run.sh with a shell snippet that prints the PID of a `sleep` it leaves behind. */
const run = (snippet: string, signalAfterPid?: NodeJS.Signals) =>
  new Promise<{ code: number | null; pid: number }>((resolve, reject) => {
    const child = spawn('sh', [SCRIPT, 'sh', '-c', snippet], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`netns-run.sh did not end: ${out}`)); }, 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (signalAfterPid && /bg=\d+\n/.test(out)) child.kill(signalAfterPid);
    });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, pid: Number(/bg=(\d+)/.exec(out)?.[1]) }); });
  });

/** Bounded wait: the kernel may take a moment to finish a killed process. */
const gone = async (pid: number) => {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
};

test('a background process left by a command that ends normally is stopped, and the exit code is kept', { skip }, async () => {
  const r = await run('sleep 300 & echo bg=$!; exit 3');
  assert.ok(r.pid > 0);
  assert.equal(r.code, 3);
  assert.ok(await gone(r.pid), `sleep ${r.pid} still running after netns-run.sh returned`);
});

test('a background process is stopped when the command itself is killed with SIGKILL', { skip }, async () => {
  const r = await run('sleep 300 & echo bg=$!; kill -KILL $$');
  assert.equal(r.code, 137);
  assert.ok(await gone(r.pid), `sleep ${r.pid} still running after the command was killed`);
});

test('SIGTERM to netns-run.sh stops the command and what it left', { skip }, async () => {
  const r = await run('sleep 300 & echo bg=$!; sleep 30', 'SIGTERM');
  assert.ok(await gone(r.pid), `sleep ${r.pid} still running after netns-run.sh was stopped`);
});
