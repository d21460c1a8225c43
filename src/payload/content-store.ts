import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PayloadError } from './errors.ts';
import { hashFile } from './file-hash.ts';

/**
 * Write-once, content-addressed files: `<dir>/<sha256>`. A file appears under its
 * final name only complete and fsynced (temp file + rename, POSIX rename(2) is
 * atomic), and is made read-only: payloads are evidence and never change.
 */
export class ContentStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  path(id: string): string {
    return join(this.dir, id);
  }

  /** Copies `size` bytes from the open file `srcFd` into the store under `id`, verifying the copy hashes to `id`. */
  put(id: string, srcFd: number, size: number): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    const tmp = join(this.dir, `.tmp-${id}-${randomUUID()}`);
    const out = openSync(tmp, 'wx', 0o600);
    try {
      const copy = hashFile(srcFd, size, out);
      if (copy.bytesRead !== size || copy.sha256 !== id) {
        throw new PayloadError(`payload file changed while it was being registered (expected ${size} bytes with SHA-256 ${id}); try again`);
      }
      fsyncSync(out);
      closeSync(out);
      chmodSync(tmp, 0o444);
      renameSync(tmp, this.path(id));
    } catch (err) {
      try { closeSync(out); } catch { /* already closed */ }
      try { unlinkSync(tmp); } catch { /* never created or already renamed */ }
      throw err;
    }
    syncDir(this.dir);
  }

  /**
   * Reads a stored file and checks it is still exactly `size` bytes hashing to `id`.
   * Returns a reason string instead of bytes when it is missing or altered.
   */
  read(id: string, size: number): Uint8Array | { problem: string } {
    const p = this.path(id);
    let actualSize: number;
    try {
      actualSize = statSync(p).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { problem: `is missing from disk (${p})` };
      throw err;
    }
    // Size first, so a file swapped for something huge is not read into memory.
    if (actualSize !== size) return { problem: `was modified on disk (${p}): expected ${size} bytes, found ${actualSize}` };
    const data = readFileSync(p);
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== id) return { problem: `was modified on disk (${p}): its SHA-256 is now ${actual}` };
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
}

/** Makes the rename durable (the directory entry), as fsync(2) on the file alone does not. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the data itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
