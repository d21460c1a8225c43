/**
 * `npm install`'s install step: builds the optional native addon native/udp-batch (batched UDP sends
 * for uTP, src/bittorrent/udp/udp-batch.ts) from source with node-gyp, against the headers of the Node
 * that `npm install` provided. Never fails the install: without a C compiler, off Linux, or on any
 * error it says so in one line and counterseed sends each datagram through Node's own socket.send.
 * COUNTERSEED_UDP_BATCH=off skips the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'udp-batch');
const say = (m: string) => process.stdout.write(`counterseed: native/udp-batch ${m}\n`);

function nodeGyp(): string | undefined {
  // npm tells its scripts where its own node-gyp is; else look beside npm.
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  for (const base of [process.env.npm_execpath, '/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js']) {
    if (!base) continue;
    try {
      const p = createRequire(base).resolve('node-gyp/bin/node-gyp.js');
      if (existsSync(p)) return p;
    } catch { /* next */ }
  }
  return undefined;
}

function main(): void {
  if (process.env.COUNTERSEED_UDP_BATCH === 'off') { say('not built (COUNTERSEED_UDP_BATCH=off)'); return; }
  if (process.platform !== 'linux') { say('not built (Linux only): uTP sends one datagram per call'); return; }
  const gyp = nodeGyp();
  if (!gyp) { say('not built (node-gyp not found): uTP sends one datagram per call'); return; }
  // The headers of the Node that npm installed (the `node` package), so node-gyp downloads nothing.
  const headers = join(root, 'node_modules', 'node', 'node_modules', `node-linux-${process.arch}`);
  const args = [gyp, 'rebuild', '--silent', ...(existsSync(join(headers, 'include', 'node', 'node_api.h')) ? [`--nodedir=${headers}`] : [])];
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000, encoding: 'utf8' });
  if (r.status === 0 && existsSync(join(dir, 'build', 'Release', 'udp_batch.node'))) { say('built (batched UDP sends for uTP)'); return; }
  const why = r.error ? r.error.message : (r.stderr ?? '').trim().split('\n').filter((l) => /error/i.test(l)).slice(0, 2).join('; ') ||
    `node-gyp exit ${r.status}; it needs a C compiler, make and python3`;
  say(`not built (${why}): uTP sends one datagram per call`);
}

main();
