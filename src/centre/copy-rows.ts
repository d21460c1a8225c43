import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { copyLine } from '../store/postgres/copy-text.ts';

/** COPY rows into `table (columns)` on `client` (inside the caller's transaction), 2,000 rows per chunk written. */
export async function copyRows(client: pg.PoolClient | pg.Client, table: string, columns: readonly string[], rows: readonly (readonly (string | number | Buffer | null)[])[]): Promise<void> {
  if (rows.length === 0) return;
  const stream = client.query(copyStreams.from(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  function* chunks(): Generator<string> {
    for (let i = 0; i < rows.length; i += 2000) {
      let s = '';
      for (const r of rows.slice(i, i + 2000)) s += copyLine(r);
      yield s;
    }
  }
  await pipeline(Readable.from(chunks()), stream);
}
