/**
 * The benchmark's decoys, built through counterseed's own CLI exactly as an
 * operator would: a random payload, `payload add`, `decoys build` with
 * neutral placeholder names, `decoys export`. The libtorrent reference gets
 * the same .torrent files and the same bytes: each decoy's content is the
 * payload, materialised as a hard link under the decoy name (one inode, so
 * both seeders read from the same page cache).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, openSync, closeSync, writeSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Each CLI step touches at most a few GiB: minutes would mean it hangs. */
const CLI_TIMEOUT_MS = 300_000;
const CHUNK = 1 << 20;

export class FixtureError extends Error {
  override name = 'FixtureError';
}

export interface BenchDecoy {
  readonly name: string;
  readonly infoHash: string;
  readonly torrentPath: string;
  readonly size: number;
}

export interface BenchFixture {
  /** counterseed --data directory (database + payload store). */
  readonly dataDir: string;
  /** Directory holding every decoy's content under its name, for libtorrent. */
  readonly saveDir: string;
  readonly decoys: readonly BenchDecoy[];
  readonly payloadBytes: number;
}

/** `holiday-video-0001.mp4` ...: neutral placeholders, never real file names. */
export function placeholderNames(k: number): string[] {
  return Array.from({ length: k }, (_, i) => `holiday-video-${String(i + 1).padStart(4, '0')}.mp4`);
}

export interface FixtureInit {
  readonly root: string;
  readonly cli: string;
  readonly sizeBytes: number;
  readonly decoys: number;
}

export async function buildFixture(init: FixtureInit, opts: { signal?: AbortSignal } = {}): Promise<BenchFixture> {
  const dataDir = join(init.root, 'counterseed-data');
  const saveDir = join(init.root, 'lt-save');
  const torrentDir = join(init.root, 'torrents');
  const payload = join(init.root, 'payload.bin');
  mkdirSync(saveDir, { recursive: true });
  writeRandomFile(payload, init.sizeBytes);

  const cli = async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run(process.execPath, [init.cli, '--data', dataDir, ...args], { timeout: CLI_TIMEOUT_MS, signal: opts.signal, maxBuffer: 64 << 20 });
      return stdout;
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new FixtureError(`counterseed ${args.slice(0, 2).join(' ')} failed: ${err.stderr?.trim() || err.message}`);
    }
  };

  const payloadId = (await cli('payload', 'add', payload, '--label', 'bench-random')).trim();
  if (!/^[0-9a-f]{64}$/.test(payloadId)) throw new FixtureError(`payload add printed "${payloadId}", expected a SHA-256 id`);
  const namesFile = join(init.root, 'names.txt');
  writeFileSync(namesFile, `${placeholderNames(init.decoys).join('\n')}\n`);
  await cli('decoys', 'build', '--names', namesFile, '--payload', payloadId);
  await cli('decoys', 'export', '--out', torrentDir);
  const listed = JSON.parse(await cli('decoys', 'list', '--json')) as { name: string; infoHash: string; size: number; payloadId: string }[];

  const decoys = listed.map((d) => ({ name: d.name, infoHash: d.infoHash, size: d.size, torrentPath: join(torrentDir, `${d.infoHash}.torrent`) }));
  if (decoys.length !== init.decoys) throw new FixtureError(`expected ${init.decoys} decoys, the store lists ${decoys.length}`);
  for (const d of decoys) {
    if (d.size !== init.sizeBytes) throw new FixtureError(`decoy ${d.name} has size ${d.size}, expected the payload size ${init.sizeBytes}`);
    if (!existsSync(d.torrentPath)) throw new FixtureError(`export wrote no ${d.torrentPath}`);
    linkSync(payload, join(saveDir, d.name));
  }
  return { dataDir, saveDir, decoys, payloadBytes: init.sizeBytes };
}

/** Random bytes so no layer (page dedup, compression) can shortcut the transfer. */
function writeRandomFile(path: string, size: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let off = 0; off < size; off += CHUNK) writeSync(fd, randomBytes(Math.min(CHUNK, size - off)));
  } finally { closeSync(fd); }
}
