import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, NotFoundError } from '../domain/errors.ts';

/** Deepest folder chain makeDir creates: far beyond any real path, and it bounds the walk. */
const MAX_DEPTH = 256;

/**
 * Creates `dir` and its missing parents, like `mkdir -p`, in a bounded loop.
 * Why not `mkdirSync(dir, { recursive: true })`: on a pseudo file system that answers ENOENT
 * to every mkdir (`/proc/x`), Node's recursive mkdir retries forever inside one synchronous call,
 * at full CPU and deaf to SIGTERM (issue 15 item 8). Here each level is tried once; the OS error
 * (EACCES, EROFS, ENOTDIR, ENOENT...) is thrown with its path for src/cli/exit-codes.ts to name.
 */
export function makeDir(dir: string, mode = 0o777): void {
  const missing: string[] = [];
  let p = resolve(dir);
  while (!existsSync(p)) {
    if (missing.length >= MAX_DEPTH) throw new InputError(`${dir}: more than ${MAX_DEPTH} missing folders`);
    missing.push(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  if (existsSync(p) && !statSync(p).isDirectory()) throw new InputError(`${p} is a file, not a folder (needed for ${dir})`);
  for (const m of missing.reverse()) mkdirSync(m, { mode });
}

/**
 * A read-only command's data directory must exist: a typo in --data silently created an empty
 * store and printed "0 deliveries" (issue 15 item 8).
 */
export function requireDataDir(dir: string): void {
  if (!existsSync(dir)) throw new NotFoundError(`data directory ${dir} does not exist (check --data or COUNTERSEED_DATA; \`counterseed init --data DIR\` creates one)`);
  if (!statSync(dir).isDirectory()) throw new InputError(`data directory ${dir} is a file, not a folder`);
}

/**
 * Checks an output FILE path before any work: its folder exists and it is not itself a folder,
 * so a long write does not fail at its last step (the rename) and leave a `.part` behind.
 */
export function checkOutputFile(file: string, flag = '--out'): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new InputError(`${flag} ${file} is a folder; give a file name inside it`);
  const parent = dirname(resolve(file));
  if (!existsSync(parent)) throw new NotFoundError(`${flag} ${file}: folder ${parent} does not exist`);
  if (!statSync(parent).isDirectory()) throw new InputError(`${flag} ${file}: ${parent} is a file, not a folder`);
}

/**
 * Proves an output folder can be made before a writer that uses Node's recursive mkdir (which
 * spins on `/proc/x`, see makeDir) gets it: makes it with makeDir and removes it again if it was
 * not there, so a writer that cleans up what it created still sees a folder it creates itself.
 */
export function probeOutputDir(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new InputError(`--out ${dir} is a file, not a folder`);
    return;
  }
  makeDir(dir);
  rmdirSync(dir);
}

/**
 * The lab's own data directory when --data is not given (issue 15 item 2): beside the evidence
 * one, never it: $XDG_DATA_HOME/counterseed-lab or ~/.local/share/counterseed-lab. COUNTERSEED_DATA
 * names the evidence directory and is not used by the lab.
 */
export function defaultLabDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || `${env.HOME ?? '.'}/.local/share`;
  return `${base}/counterseed-lab`;
}
