import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * A table class's statements, prepared once from its SQL by name (each class of store/sqlite/ that
 * wraps a few tables lists its SQL in one object instead of a field and a prepare() per statement).
 */
export function prepareAll<K extends string>(db: DatabaseSync, sql: Record<K, string>): Record<K, StatementSync> {
  const out = {} as Record<K, StatementSync>;
  for (const name of Object.keys(sql) as K[]) out[name] = db.prepare(sql[name]);
  return out;
}
