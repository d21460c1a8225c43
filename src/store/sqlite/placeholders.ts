/**
 * `?, ?, ?` for n values: an IN list of bound parameters, read alike by SQLite and PostgreSQL (where
 * SQLite's json_each(?) is not). Its length is a count, never input text. Both limit the parameters
 * of one statement (SQLite 32,766, PostgreSQL 65,535): callers keep their lists in batches below that.
 */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
