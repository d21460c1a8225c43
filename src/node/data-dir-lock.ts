import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { BusyError, InputError } from '../domain/errors.ts';

/** The lock file, and the note beside it that names its holder (information only: the lock is the file's lock). */
export const LOCK_FILE = 'node.lock';
const OWNER_FILE = 'node.lock.owner';

export interface DataDirLock {
  /** Releases the lock (idempotent). The kernel also releases it when the process dies, even by kill -9. */
  release(): void;
}

/**
 * One data directory, one writer (issue 17, item 10): a node (`seed`, `lab`) holds this lock for as
 * long as it runs, and a second node on the same directory is refused with BusyError (exit 75).
 *
 * The lock is SQLite's own file lock: an EXCLUSIVE transaction, never committed, on an empty database
 * file. On Unix that is a POSIX advisory (fcntl) lock, which the kernel drops when the process ends
 * however it ends, so a kill -9 never leaves a stale lock to break by hand, and PID reuse cannot fool
 * it. node:sqlite is built in: no native addon. SQLite tracks its locks per inode inside a process
 * too, so a second attempt from the same process is refused as well. A directory that cannot be
 * created or locked for another reason (permissions, a file in the way) is bad input (exit 2).
 */
export function lockDataDir(dataDir: string, holder: string): DataDirLock {
  let db: DatabaseSync;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    db = new DatabaseSync(join(dataDir, LOCK_FILE));
  } catch (e) {
    throw new InputError(`cannot use data directory ${dataDir}: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if ((e as { errcode?: number }).errcode !== 5 /* SQLITE_BUSY */) throw new InputError(`cannot lock data directory ${dataDir}: ${(e as Error).message}`, { cause: e });
    throw new BusyError(`data directory ${dataDir} is in use by another node${describeOwner(dataDir)}; stop it first, or use another --data directory`);
  }
  writeFileSync(join(dataDir, OWNER_FILE), `${JSON.stringify({ pid: process.pid, holder, since: new Date().toISOString() })}\n`, { mode: 0o600 });
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      rmSync(join(dataDir, OWNER_FILE), { force: true });
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** Runs `fn` holding the data directory's lock (lockDataDir), and releases it however `fn` ends. */
export async function withDataDirLock<T>(dataDir: string, holder: string, fn: () => Promise<T>): Promise<T> {
  const lock = lockDataDir(dataDir, holder);
  try { return await fn(); } finally { lock.release(); }
}

function describeOwner(dataDir: string): string {
  try {
    const o = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as { pid?: unknown; holder?: unknown; since?: unknown };
    return ` (${String(o.holder)}, pid ${String(o.pid)}, since ${String(o.since)})`;
  } catch { return ''; }
}
