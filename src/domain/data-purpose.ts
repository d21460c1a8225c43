import { CounterseedError } from './errors.ts';

/**
 * What a data directory holds (issue 15 item 2: a lab run once wrote 155 simulated deliveries into
 * an operator's evidence chain). One word in the directory's PURPOSE file:
 * - `evidence`: real deliveries recorded by a live node; the only purpose `seed` serves from;
 * - `lab`: `counterseed lab`'s simulated downloads on loopback;
 * - `synthetic`: data made by a generator (`counterseed synth`), treated like lab everywhere.
 * Lab and synthetic records are never evidence: every output that shows them says so.
 */
export type DataPurpose = 'evidence' | 'lab' | 'synthetic';

export const DATA_PURPOSES: readonly DataPurpose[] = ['evidence', 'lab', 'synthetic'];

export const isDataPurpose = (v: unknown): v is DataPurpose => typeof v === 'string' && (DATA_PURPOSES as readonly string[]).includes(v);

/** The first line of every table, listing or summary that shows records of a lab or synthetic directory. */
export function purposeBanner(p: DataPurpose): string | undefined {
  if (p === 'lab') return 'LAB DATA - simulated, not evidence';
  if (p === 'synthetic') return 'SYNTHETIC DATA - generated, not evidence';
  return undefined;
}

/**
 * A command was pointed at a data directory of the wrong purpose: a lab run at real evidence, or a
 * live node at lab data. Exit code 77 (sysexits EX_NOPERM): the directory does not permit this command.
 */
export class DataPurposeError extends CounterseedError {
  override name = 'DataPurposeError';
  constructor(message: string) { super(message, 77); }
}
