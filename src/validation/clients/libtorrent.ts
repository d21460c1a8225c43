/**
 * libtorrent 2.0.8 driver (python3-libtorrent through Debian's /usr/bin/python3;
 * the pyenv python3 has no libtorrent). The session logic is in lt_download.py;
 * it reports completion on torrent_finished_alert.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess, requireBinary } from '../proc.ts';
import { sha256File } from './files.ts';
import { DownloadError, validateSpec, type DownloadOutcome, type DownloadSpec } from './types.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'lt_download.py');

export async function downloadWithLibtorrent(spec: DownloadSpec): Promise<DownloadOutcome> {
  validateSpec(spec);
  requireBinary(PYTHON, 'python3-libtorrent (and python3)');
  const started = Date.now();
  mkdirSync(spec.outDir, { recursive: true });
  const args = {
    ...(spec.torrentFile !== undefined ? { torrentFile: spec.torrentFile } : { magnet: spec.magnet }),
    outDir: spec.outDir,
    bindIp: spec.bindIp,
    requireEncryption: spec.requireEncryption === true,
    plaintext: spec.plaintext === true,
    tcpOnly: spec.tcpOnly === true,
    timeoutSec: Math.ceil(spec.timeoutMs / 1000),
  };
  const proc = new ManagedProcess(PYTHON, [SCRIPT, JSON.stringify(args)]);
  let filePath: string;
  let first: { first_piece_ms?: number; transport?: 'utp' | 'tcp' | 'unknown' } = {};
  proc.onLine((line) => { if (line.startsWith('{"first_piece_ms"')) first = JSON.parse(line) as typeof first; });
  try {
    // The script enforces timeoutSec itself; the outer wait adds a margin for start-up.
    const m = await proc.waitForLine(/^\{"(?:done|error)":.*\}$/, {
      timeoutMs: spec.timeoutMs + 15_000,
      ...(spec.signal ? { signal: spec.signal } : {}),
    }).catch((e: Error) => { throw new DownloadError(`libtorrent download failed: ${e.message}`); });
    const result = JSON.parse(m[0]) as { done?: string; error?: string };
    if (result.done === undefined) throw new DownloadError(`libtorrent download failed: ${result.error}\n${proc.describe()}`);
    filePath = result.done;
  } finally {
    await proc.stop('SIGTERM', 10_000);
  }
  const { sha256, bytes } = await sha256File(filePath);
  return {
    client: 'libtorrent', filePath, sha256, bytes, elapsedMs: Date.now() - started, log: proc.describe(),
    ...(first.transport ? { transport: first.transport } : {}), ...(first.first_piece_ms !== undefined ? { firstPieceMs: first.first_piece_ms } : {}),
  };
}
