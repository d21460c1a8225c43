/**
 * Transmission 3.00 driver: transmission-daemon in the foreground with its own
 * config dir, driven over its JSON-RPC on 127.0.0.1 (RPC spec, section 3.1
 * torrent-add; 3.3 torrent-get). Completion is its done-script writing a
 * marker file; torrent-get is polled only for error reporting.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess, requireBinary, waitForFile } from '../proc.ts';
import { sha256File } from './files.ts';
import { DownloadError, validateSpec, type DownloadOutcome, type DownloadSpec } from './types.ts';

const DAEMON = '/usr/bin/transmission-daemon';
const PEER_PORT = 51413;

export async function downloadWithTransmission(spec: DownloadSpec): Promise<DownloadOutcome> {
  validateSpec(spec);
  requireBinary(DAEMON, 'transmission-daemon');
  const started = Date.now();
  const configDir = join(spec.outDir, '.transmission-state');
  mkdirSync(configDir, { recursive: true });
  const marker = join(configDir, 'complete');
  const doneScript = join(configDir, 'torrent-done.sh');
  // Transmission runs the script with TR_TORRENT_DIR and TR_TORRENT_NAME set.
  writeFileSync(doneScript, `#!/bin/sh\nprintf '%s/%s' "$TR_TORRENT_DIR" "$TR_TORRENT_NAME" > '${marker}.tmp' && mv '${marker}.tmp' '${marker}'\n`);
  chmodSync(doneScript, 0o755);
  const rpcPort = await freeLoopbackPort();
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify(settings(spec, rpcPort, doneScript), null, 2));

  const proc = new ManagedProcess(DAEMON, ['--foreground', '--config-dir', configDir, '--log-info']);
  const rpc = new Rpc(`http://127.0.0.1:${rpcPort}/transmission/rpc`);
  let last: { error?: number; errorString?: string } | null = null;
  try {
    await rpc.waitReady(proc, 20_000);
    const added = await rpc.call('torrent-add', spec.torrentFile !== undefined
      ? { metainfo: readFileSync(spec.torrentFile).toString('base64'), paused: false }
      : { filename: spec.magnet, paused: false });
    const t = (added['torrent-added'] ?? added['torrent-duplicate']) as { id: number } | undefined;
    if (!t) throw new DownloadError(`torrent-add returned ${JSON.stringify(added)}`);
    let nextPoll = 0;
    await waitForFile(marker, configDir, {
      timeoutMs: spec.timeoutMs,
      ...(spec.signal ? { signal: spec.signal } : {}),
      failIf: () => {
        if (proc.exitInfo) return 'transmission-daemon exited';
        // Status is fetched in the background for diagnostics; a torrent error fails fast.
        if (Date.now() >= nextPoll) {
          nextPoll = Date.now() + 2_000;
          void rpc.call('torrent-get', { ids: [t.id], fields: ['status', 'percentDone', 'peersConnected', 'error', 'errorString', 'metadataPercentComplete'] })
            .then((r) => { last = (r['torrents'] as (typeof last)[])[0] ?? null; })
            .catch(() => {});
        }
        // error 3 is a local error (disk, metadata); 1 and 2 are tracker warnings/errors that may clear.
        return last?.error === 3 ? `torrent error: ${last.errorString}` : null;
      },
    });
  } catch (e) {
    throw new DownloadError(`transmission download failed: ${(e as Error).message}\nlast status: ${JSON.stringify(last)}\n${proc.describe()}`);
  } finally {
    await proc.stop('SIGTERM', 15_000);
  }
  const filePath = readFileSync(marker, 'utf8');
  const { sha256, bytes } = await sha256File(filePath);
  return { client: 'transmission', filePath, sha256, bytes, elapsedMs: Date.now() - started, log: proc.describe() };
}

function settings(spec: DownloadSpec, rpcPort: number, doneScript: string): Record<string, unknown> {
  return {
    // Discovery off: peers only from our tracker (magnets: metadata from our seeder).
    'dht-enabled': false, 'lpd-enabled': false, 'pex-enabled': false, 'port-forwarding-enabled': false,
    // uTP at its default (on) unless the run needs TCP only: Transmission 3.00 with uTP on cannot
    // fetch from a TCP-only seeder (INTEROP-NOTES), so turning it off would hide that failure.
    ...(spec.tcpOnly === true ? { 'utp-enabled': false } : {}),
    // An IPv6 client address (issue 10 item 2) binds the IPv6 side; IPv4 then stays at its default.
    'bind-address-ipv4': spec.bindIp.includes(':') ? '0.0.0.0' : spec.bindIp,
    'bind-address-ipv6': spec.bindIp.includes(':') ? spec.bindIp : '::1',
    'peer-port': PEER_PORT, 'peer-port-random-on-start': false,
    'download-dir': spec.outDir,
    'incomplete-dir-enabled': false,
    'rename-partial-files': false,
    'start-added-torrents': true,
    'watch-dir-enabled': false,
    'blocklist-enabled': false,
    // 0 prefer plaintext, 1 prefer encryption, 2 require encryption (RC4 only).
    encryption: spec.requireEncryption ? 2 : spec.plaintext ? 0 : 1,
    'rpc-enabled': true, 'rpc-bind-address': '127.0.0.1', 'rpc-port': rpcPort,
    'rpc-authentication-required': false, 'rpc-whitelist-enabled': false, 'rpc-host-whitelist-enabled': false,
    'script-torrent-done-enabled': true, 'script-torrent-done-filename': doneScript,
    'message-level': 2,
    'ratio-limit-enabled': false, 'idle-seeding-limit-enabled': false,
    'speed-limit-down-enabled': false, 'speed-limit-up-enabled': false,
    'alt-speed-enabled': false,
    'preallocation': 0,
    'umask': 18,
  };
}

/** Transmission RPC: every session starts with a 409 carrying X-Transmission-Session-Id (spec 2.3.1). */
class Rpc {
  readonly url: string;
  #session = '';
  constructor(url: string) { this.url = url; }

  async call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-transmission-session-id': this.#session },
        body: JSON.stringify({ method, arguments: args }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 409) { this.#session = res.headers.get('x-transmission-session-id') ?? ''; continue; }
      const body = (await res.json()) as { result: string; arguments?: Record<string, unknown> };
      if (body.result !== 'success') throw new DownloadError(`RPC ${method}: ${body.result}`);
      return body.arguments ?? {};
    }
    throw new DownloadError(`RPC ${method}: no session id after 3 attempts`);
  }

  /** Polls session-get until the daemon answers (bounded); fails at once if it exits. */
  async waitReady(proc: ManagedProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitInfo) throw new DownloadError('transmission-daemon exited during start-up');
      try { await this.call('session-get', {}); return; } catch (e) {
        if (Date.now() > deadline) throw new DownloadError(`RPC not ready within ${timeoutMs} ms: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A free TCP port on 127.0.0.1, for the RPC listener. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
