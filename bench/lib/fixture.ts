/**
 * The benchmark's decoys, built through counterseed's own CLI exactly as an
 * operator would: `payload add` of the warning video, `decoys build` with
 * neutral placeholder names and an exact size (size mimicry: the video padded
 * to the size, with a per-decoy nonce), `decoys export`. The libtorrent
 * reference gets the same .torrent files and the same bytes: `decoys write`
 * materialises each decoy under its name, and the SHA-256 it prints must be
 * the one in the store.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Each CLI step touches at most a few GiB: minutes would mean it hangs. */
const CLI_TIMEOUT_MS = 300_000;

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
}

/** `holiday-video-0001.mp4` ...: neutral placeholders, never real file names. */
export function placeholderNames(k: number): string[] {
  return Array.from({ length: k }, (_, i) => `holiday-video-${String(i + 1).padStart(4, '0')}.mp4`);
}

export interface FixtureInit {
  readonly root: string;
  readonly cli: string;
  /** The warning video every decoy is made from. */
  readonly video: string;
  /** Exact size of every decoy. */
  readonly sizeBytes: number;
  readonly decoys: number;
}

export async function buildFixture(init: FixtureInit, opts: { signal?: AbortSignal } = {}): Promise<BenchFixture> {
  const dataDir = join(init.root, 'counterseed-data');
  const saveDir = join(init.root, 'lt-save');
  const torrentDir = join(init.root, 'torrents');
  mkdirSync(saveDir, { recursive: true });

  const cli = async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run(process.execPath, [init.cli, '--data', dataDir, ...args], { timeout: CLI_TIMEOUT_MS, signal: opts.signal, maxBuffer: 64 << 20 });
      return stdout;
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new FixtureError(`counterseed ${args.slice(0, 2).join(' ')} failed: ${err.stderr?.trim() || err.message}`);
    }
  };

  const payloadId = (await cli('payload', 'add', init.video)).trim();
  if (!/^[0-9a-f]{64}$/.test(payloadId)) throw new FixtureError(`payload add printed "${payloadId}", expected a SHA-256 id`);
  const namesFile = join(init.root, 'names.txt');
  writeFileSync(namesFile, `${placeholderNames(init.decoys).map((n) => `${n},${init.sizeBytes}`).join('\n')}\n`);
  await cli('decoys', 'build', '--names', namesFile, '--payload', payloadId);
  await cli('decoys', 'export', '--out', torrentDir);
  const listed = JSON.parse(await cli('decoys', 'list', '--json')) as { id: number; name: string; infoHash: string; size: number; contentSha256: string }[];
  if (listed.length !== init.decoys) throw new FixtureError(`expected ${init.decoys} decoys, the store lists ${listed.length}`);

  const decoys: BenchDecoy[] = [];
  for (const d of listed) {
    const torrentPath = join(torrentDir, `${d.infoHash}.torrent`);
    if (d.size !== init.sizeBytes) throw new FixtureError(`decoy ${d.name} has size ${d.size}, expected ${init.sizeBytes}`);
    if (!existsSync(torrentPath)) throw new FixtureError(`export wrote no ${torrentPath}`);
    const written = await cli('decoys', 'write', String(d.id), '--out', join(saveDir, d.name));
    if (!written.includes(d.contentSha256)) throw new FixtureError(`decoys write ${d.id} printed "${written.trim()}", not the recorded SHA-256 ${d.contentSha256}`);
    decoys.push({ name: d.name, infoHash: d.infoHash, size: d.size, torrentPath });
  }
  return { dataDir, saveDir, decoys };
}
