import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataPurpose } from '../store/intelligence.ts';

/**
 * The data directory's PURPOSE file: one word, evidence | lab | synthetic, so a person (and a
 * live command) sees what a directory holds before opening its database. Written once, when the
 * directory is made. (A shared module for all three purposes is being added on another branch;
 * this is the small piece `counterseed synth` needs.)
 */
export const PURPOSE_FILE = 'PURPOSE';

export function writePurposeFile(dir: string, purpose: DataPurpose): void {
  writeFileSync(join(dir, PURPOSE_FILE), `${purpose}\n`, { flag: 'wx', mode: 0o644 });
}

export function readPurposeFile(dir: string): DataPurpose | undefined {
  try {
    const w = readFileSync(join(dir, PURPOSE_FILE), 'utf8').trim();
    return w === 'evidence' || w === 'lab' || w === 'synthetic' ? w : undefined;
  } catch {
    return undefined;
  }
}
