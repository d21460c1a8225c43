import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Files in one multi-file download we hash at most (decoy folders hold a few). */
const MAX_FILES = 10_000;

/**
 * SHA-256 of a file, streamed (decoys can be larger than we want in memory). For a
 * multi-file download's folder: the SHA-256 over its files concatenated in sorted
 * path order, and their total size. That is NOT the torrent's content order; tests of
 * multi-file content compare file by file against the torrent's list.
 */
export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for (const f of filesUnder(path)) {
    for await (const chunk of createReadStream(f)) h.update(chunk as Buffer);
    bytes += statSync(f).size;
  }
  return { sha256: h.digest('hex'), bytes };
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (out.length >= MAX_FILES) throw new RangeError(`more than ${MAX_FILES} files under ${path}`);
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.isFile()) out.push(join(dir, e.name));
    }
  };
  walk(path);
  return out;
}
