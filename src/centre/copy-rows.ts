import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

/** A COPY text-format field (PostgreSQL docs, COPY "Text Format"): NULL is \N; backslash, tab, newline and CR escaped. */
export function copyField(v: string | number | Buffer | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`;
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** COPY rows into `table (columns)` on `client` (inside the caller's transaction), 2,000 rows per chunk written. */
export async function copyRows(client: pg.PoolClient | pg.Client, table: string, columns: readonly string[], rows: readonly (readonly (string | number | Buffer | null)[])[]): Promise<void> {
  if (rows.length === 0) return;
  const stream = client.query(copyStreams.from(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  function* chunks(): Generator<string> {
    for (let i = 0; i < rows.length; i += 2000) {
      let s = '';
      for (const r of rows.slice(i, i + 2000)) s += `${r.map(copyField).join('\t')}\n`;
      yield s;
    }
  }
  await pipeline(Readable.from(chunks()), stream);
}
