/**
 * aria2c 1.36 driver: a one-shot CLI. Completion is signalled by its
 * --on-bt-download-complete hook; --seed-time=0 then makes it exit by itself.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, requireBinary, waitForFile } from '../proc.ts';
import { sha256File } from './files.ts';
import { DownloadError, validateSpec, type DownloadOutcome, type DownloadSpec } from './types.ts';

const ARIA2C = '/usr/bin/aria2c';
/** aria2 listens here on the client's own address; nothing else binds that address. */
const LISTEN_PORT = 6881;

export async function downloadWithAria2(spec: DownloadSpec): Promise<DownloadOutcome> {
  validateSpec(spec);
  requireBinary(ARIA2C, 'aria2');
  const started = Date.now();
  const stateDir = join(spec.outDir, '.aria2-state');
  mkdirSync(stateDir, { recursive: true });
  const marker = join(stateDir, 'complete');
  const hook = join(stateDir, 'on-complete.sh');
  // aria2 passes GID, file count and the first file's path. For a magnet the
  // metadata fetch is its own download; only a real content path counts.
  writeFileSync(hook, `#!/bin/sh\ncase "$3" in *'[METADATA]'*|'') exit 0;; esac\nprintf '%s' "$3" > '${marker}.tmp' && mv '${marker}.tmp' '${marker}'\n`);
  chmodSync(hook, 0o755);

  const args = [
    '--no-conf=true',
    `--dir=${spec.outDir}`,
    `--interface=${spec.bindIp}`,
    `--listen-port=${LISTEN_PORT}`,
    // An IPv6 client address needs aria2's IPv6 (its default); an IPv4 one keeps it off as before.
    ...(spec.bindIp.includes(':') ? [] : ['--disable-ipv6=true']),
    // Discovery off: peers come only from our tracker (and metadata from our seeder).
    '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
    '--seed-time=0',
    '--bt-save-metadata=false',
    '--file-allocation=none',
    '--summary-interval=0',
    '--console-log-level=notice',
    `--log=${join(stateDir, 'aria2.log')}`, '--log-level=info',
    '--bt-tracker-connect-timeout=10', '--bt-tracker-timeout=10',
    `--on-bt-download-complete=${hook}`,
    ...(spec.requireEncryption ? ['--bt-require-crypto=true', '--bt-min-crypto-level=arc4'] : []),
    spec.torrentFile ?? spec.magnet!,
  ];
  const proc = new ManagedProcess(ARIA2C, args, { cwd: stateDir });
  try {
    await waitForFile(marker, stateDir, {
      timeoutMs: spec.timeoutMs,
      ...(spec.signal ? { signal: spec.signal } : {}),
      failIf: () => (proc.exitInfo && !existsSync(marker) ? `aria2c exited before completing\n${describe(proc, stateDir)}` : null),
    }).catch((e: Error) => { throw new DownloadError(`aria2 download failed: ${e.message}\n${describe(proc, stateDir)}`); });
    // With --seed-time=0 it exits by itself once the hook has been launched.
    const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(r, 15_000, null).unref())]);
    if (exit === null) await proc.stop('SIGTERM', 10_000);
    else if (exit.code !== 0) throw new DownloadError(`aria2c exited with ${exit.code}\n${describe(proc, stateDir)}`);
  } finally {
    await proc.stop('SIGTERM', 10_000);
  }
  const filePath = readFileSync(marker, 'utf8');
  const { sha256, bytes } = await sha256File(filePath);
  return { client: 'aria2', filePath, sha256, bytes, elapsedMs: Date.now() - started, log: describe(proc, stateDir) };
}

function describe(proc: ManagedProcess, stateDir: string): string {
  let log = '';
  try { log = readFileSync(join(stateDir, 'aria2.log'), 'utf8'); } catch { /* not written yet */ }
  return `${proc.describe()}\n--- aria2.log (tail) ---\n${log.slice(-6000)}`;
}
