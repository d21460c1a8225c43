/**
 * The few spellings where the SQLite store's SQL and PostgreSQL's differ, translated one statement
 * at a time so that the feature modules of src/store/sqlite/ (evidence log, record tables,
 * campaigns, decoy files, run markers, health) run unchanged on PostgreSQL: a column or a query
 * added there works here once the PostgreSQL migration adds the column. SQLite functions without a
 * PostgreSQL namesake (hex, json_extract, substr over bigints) are defined by migration pg-core-001
 * instead of being rewritten here. Every rule is listed, and test/unit/store/postgres/dialect.test.ts
 * holds each to an example:
 *
 * 1. `?` and `?N` parameters become `$n` (outside quoted strings).
 * 2. `INSERT OR IGNORE` becomes `INSERT ... ON CONFLICT DO NOTHING`.
 * 3. `INSERT OR REPLACE INTO t` becomes `INSERT ... ON CONFLICT (key) DO UPDATE SET` every other column.
 * 4. `LIMIT ?` takes -1 for "no limit" (SQLite); PostgreSQL's is NULL: `LIMIT NULLIF($n, -1)`.
 * 5. `CAST(x AS INTEGER)` is 64-bit in SQLite: `CAST(x AS BIGINT)`.
 * 6. An INSERT into a table with an `id` column returns it (`RETURNING id`): SQLite's lastInsertRowid.
 * 7. `BEGIN IMMEDIATE` is `BEGIN`; PRAGMAs (SQLite's page cache, WAL) mean nothing here and are skipped.
 * 8. Named parameters `:name` (bound from one object, as node:sqlite binds them) become `$n`, one
 *    number per name in order of first use; `::` (a PostgreSQL cast) is not a parameter.
 */

export interface TableShape {
  /** Tables with an `id` column. */
  readonly withId: ReadonlySet<string>;
  /** Primary key columns per table (for INSERT OR REPLACE). */
  readonly keys: ReadonlyMap<string, readonly string[]>;
}

export interface Translated {
  readonly sql: string;
  readonly returnsId: boolean;
  /** Rule 8: the name bound to $1, $2, ... (absent when the statement has no named parameters). */
  readonly names?: readonly string[];
}

export function translate(sqliteSql: string, shape: TableShape): Translated {
  let sql = sqliteSql.trim();
  if (/^PRAGMA\b/i.test(sql)) return { sql: '', returnsId: false };
  if (/^BEGIN\s+IMMEDIATE$/i.test(sql)) return { sql: 'BEGIN', returnsId: false };
  sql = sql.replace(/CAST\(([^()]*?) AS INTEGER\)/gi, 'CAST($1 AS BIGINT)');
  sql = sql.replace(/\bLIMIT \?(\d*)/g, (_m, n: string) => `LIMIT NULLIF(?${n}, -1)`);
  let suffix = '';
  const orIgnore = /^INSERT OR IGNORE INTO/i;
  const orReplace = /^INSERT OR REPLACE INTO (\w+) \(([^)]*)\)/i;
  const rep = orReplace.exec(sql);
  if (orIgnore.test(sql)) {
    sql = sql.replace(orIgnore, 'INSERT INTO');
    suffix = ' ON CONFLICT DO NOTHING';
  } else if (rep) {
    const table = rep[1]!;
    const key = shape.keys.get(table);
    if (!key) throw new Error(`INSERT OR REPLACE into ${table}: no primary key known`);
    const others = rep[2]!.split(',').map((c) => c.trim()).filter((c) => !key.includes(c));
    sql = sql.replace(/^INSERT OR REPLACE INTO/i, 'INSERT INTO');
    suffix = ` ON CONFLICT (${key.join(', ')}) DO ${others.length ? `UPDATE SET ${others.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'NOTHING'}`;
  }
  const into = /^INSERT INTO (\w+)/i.exec(sql);
  const returnsId = !!into && shape.withId.has(into[1]!.toLowerCase()) && !/\bRETURNING\b/i.test(sql);
  const names: string[] = [];
  sql = numberParameters(sql, names) + suffix + (returnsId ? ' RETURNING id' : '');
  return names.length > 0 ? { sql, returnsId, names } : { sql, returnsId };
}

/**
 * `?` -> $1, $2, ... in order; `?N` -> $N; `:name` -> $k, the names collected in `names` (index k - 1);
 * quoted strings and identifiers are left alone.
 */
export function numberParameters(sql: string, names: string[] = []): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === '?') {
      const m = /^\d+/.exec(sql.slice(i + 1));
      if (m) { out += `$${m[0]}`; i += m[0].length; } else out += `$${++next}`;
    } else if (ch === ':' && sql[i - 1] !== ':' && sql[i + 1] !== ':' && /^[A-Za-z_]\w*/.test(sql.slice(i + 1, i + 65))) {
      const name = /^[A-Za-z_]\w*/.exec(sql.slice(i + 1))![0];
      let k = names.indexOf(name);
      if (k < 0) k = names.push(name) - 1;
      out += `$${k + 1}`;
      i += name.length;
    } else out += ch;
  }
  return out;
}
