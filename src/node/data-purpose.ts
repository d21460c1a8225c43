import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataPurposeError, isDataPurpose, type DataPurpose } from '../domain/data-purpose.ts';

export type { DataPurpose } from '../domain/data-purpose.ts';

/** The file that says what a data directory holds: one word and a newline. */
export const PURPOSE_FILE = 'PURPOSE';

/**
 * How a command uses a data directory:
 * - 'evidence': a live command (seed, decoys build, campaign, init...): refuses lab and synthetic
 *   directories and claims an unclaimed one as evidence;
 * - 'lab': `counterseed lab`: refuses anything but an empty, new or lab directory and claims it as lab;
 * - 'synthetic': a data generator (`counterseed synth`), the same as lab for its own purpose;
 * - 'read': a read-only analysis command: any purpose, writes no PURPOSE file.
 */
export type DataUse = DataPurpose | 'read';

/** Files that show a directory already holds a store or a node key, made before PURPOSE files existed. */
const STORE_MARKS = ['counterseed.db', 'keys'];

/**
 * The directory's purpose as recorded: its PURPOSE file; `evidence` for a directory with a store
 * but no PURPOSE file (made before this file existed: it may hold real evidence); undefined for
 * a new or empty one.
 */
export function readPurpose(dir: string): DataPurpose | undefined {
  const file = join(dir, PURPOSE_FILE);
  if (existsSync(file)) {
    const word = readFileSync(file, 'utf8').trim();
    if (!isDataPurpose(word)) throw new DataPurposeError(`${file}: expected evidence, lab or synthetic, found ${JSON.stringify(word.slice(0, 40))}; refusing to guess what ${dir} holds`);
    return word;
  }
  return STORE_MARKS.some((m) => existsSync(join(dir, m))) ? 'evidence' : undefined;
}

const describe = (dir: string, p: DataPurpose) => (existsSync(join(dir, PURPOSE_FILE))
  ? `${dir} holds ${p === 'evidence' ? 'real evidence' : `${p} data`} (its PURPOSE file says ${p})`
  : `${dir} holds a counterseed store made before PURPOSE files: it is taken as real evidence`);

/**
 * Checks that `use` fits the directory and claims an unclaimed directory for it (writes PURPOSE),
 * before any store is opened there. Returns the directory's purpose. Throws DataPurposeError:
 * lab data and real evidence never share a directory.
 */
export function openPurpose(dir: string, use: DataUse): DataPurpose {
  const found = checkPurpose(dir, use);
  if (use === 'read') return found ?? 'evidence';
  // A new directory, or one from before PURPOSE files (taken as evidence): the first command that writes claims it.
  if (!existsSync(join(dir, PURPOSE_FILE))) claim(dir, use);
  return found ?? use;
}

/** openPurpose without the claim: refuses a directory `use` may not touch, returns what it holds (undefined: unclaimed). */
export function checkPurpose(dir: string, use: DataUse): DataPurpose | undefined {
  const found = existsSync(dir) ? readPurpose(dir) : undefined;
  if (use === 'read' || found === undefined || found === use) return found;
  if (use === 'lab') {
    throw new DataPurposeError(`${describe(dir, found)}; \`counterseed lab\` never writes there. Run lab without --data (it uses its own directory, ~/.local/share/counterseed-lab) or give it an empty or lab directory`);
  }
  if (use === 'synthetic') throw new DataPurposeError(`${describe(dir, found)}; synthetic data is never written there: give an empty or synthetic directory`);
  throw new DataPurposeError(`${describe(dir, found)}, not evidence: live commands (seed, campaign, decoys build...) refuse it. Give --data a directory for real evidence (counterseed init --data DIR); read-only commands (deliveries, announces, evidence export...) still read it, marked ${found.toUpperCase()}`);
}

function claim(dir: string, purpose: DataPurpose): void {
  try {
    writeFileSync(join(dir, PURPOSE_FILE), `${purpose}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    // Another process claimed it between the read and the write: its claim must match.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const now = readPurpose(dir);
    if (now !== purpose) throw new DataPurposeError(`${dir} was just claimed as ${now} by another process`);
  }
}
