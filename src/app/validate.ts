import { existsSync, readdirSync } from 'node:fs';
import { makeDir } from './paths.ts';
import { InputError } from '../domain/errors.ts';
import type { ClientName } from '../validation/clients/types.ts';
import type { ValidationReport } from '../validation/report.ts';
import { runValidation } from '../validation/run.ts';
import { buildDecoys, readNameList } from './decoys.ts';
import { withContext } from './context.ts';

export { isolationProblem } from '../validation/isolation.ts';
export { ALL_CLIENTS, MAX_DOWNLOADS } from '../validation/plan.ts';
export type { ClientName } from '../validation/clients/types.ts';
export { ValidationError } from '../validation/errors.ts';

export interface ValidateInput {
  /** Report directory; must not exist or be empty. */
  readonly out: string;
  readonly downloads: number;
  readonly clients: readonly ClientName[];
  readonly signal?: AbortSignal;
  readonly log: (m: string) => void;
}

/**
 * A validation report: real clients download decoys in this isolated network namespace and every
 * delivery is compared with a packet capture. The caller checks isolation first (isolationProblem);
 * runValidation refuses to run without it.
 */
export async function validateWithClients(input: ValidateInput): Promise<ValidationReport> {
  if (existsSync(input.out) && readdirSync(input.out).length > 0) throw new InputError(`--out: ${input.out} exists and is not empty`);
  makeDir(input.out);
  return runValidation({
    ...input,
    // The run's decoys are built by the same use case an operator runs (`decoys build`).
    buildDecoys: (settings, namesFile) => withContext(settings, input.log, async (ctx) => {
      const r = await buildDecoys(ctx, { rows: readNameList(namesFile), ...(input.signal ? { signal: input.signal } : {}) });
      input.log(`built ${r.built} decoys from ${namesFile} with payload ${r.payload.id.slice(0, 12)}… (${r.payload.label})`);
    }),
  });
}
