import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../domain/errors.ts';

/** The file in the data directory that holds the deployment seed (issue 10 item 3). */
export const SEED_FILE = 'deployment-seed';
const SEED_HEX = /^[0-9a-f]{64}$/;

/**
 * The deployment's secret seed: 32 random bytes made once (at `init`, or the first command that
 * opens an older data directory) and never changed, because decoys built with it (their padding
 * bytes, piece sizes, dates) must stay recomputable. It draws the client profile and the per-decoy
 * choices, so two deployments share no constant. Secret like the node key: never recorded.
 */
export function deploymentSeed(dataDir: string): Uint8Array {
  const path = join(dataDir, SEED_FILE);
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const text = readFileSync(path, 'utf8').trim();
  if (!SEED_HEX.test(text)) throw new InputError(`${path}: not a deployment seed (64 hex digits); restore it from a backup: decoys built with it depend on it`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}
