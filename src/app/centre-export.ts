import { resolve } from 'node:path';
import pg from 'pg';
import { InputError } from '../domain/errors.ts';
import { writeCentrePackage, type CentreNodeSection, type CentreSelection } from '../exports/centre-package.ts';
import { probeOutputDir } from './paths.ts';
import type { CentreKey } from '../centre/centre-key.ts';

/** The centre's signing key, made in the data directory on first use (centre/centre-key.ts). */
export { loadOrCreateCentreKey } from '../centre/centre-key.ts';

export interface CentreExportInput extends CentreSelection {
  /** The centre's PostgreSQL (postgres://...): the `store` setting of the centre. */
  readonly url: string;
  /** A schema holding the centre's tables; default the connection's search_path. */
  readonly schema?: string;
  readonly out: string;
  /** The centre's key (centre/centre-key.ts): it signs the package's list of nodes. */
  readonly key: CentreKey;
  readonly now?: () => number;
}

/**
 * Evidence across nodes from the centre (issue 12 item 5): one package with each selected node's
 * records, its newest verified signed checkpoint, an inclusion proof per record and a completeness
 * proof for the selection, with the node list signed by the centre's key (exports/centre-package.ts);
 * `node verify-centre.mjs DIR` checks every node's chain in it, and that nothing was left out.
 */
export async function exportAcrossNodes(input: CentreExportInput): Promise<{ nodes: CentreNodeSection[] }> {
  if (!/^postgres(ql)?:\/\//.test(input.url)) throw new InputError('a centre export reads the centre\'s PostgreSQL: give its postgres:// URL (--store)');
  probeOutputDir(input.out);
  const client = new pg.Client({ connectionString: input.url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    if (input.schema !== undefined) await client.query(`SET search_path TO "${input.schema.replace(/"/g, '""')}"`);
    // One snapshot: the records, checkpoints and node list read together.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const r = await writeCentrePackage(client, input, resolve(input.out), (input.now ?? Date.now)(), input.key);
    await client.query('COMMIT');
    return r;
  } finally { await client.end(); }
}
