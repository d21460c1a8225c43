// Types for verify-access-log.mjs, so counterseed's TypeScript runs the same check an auditor's expert runs.
export interface AccessEntryLike { seq: number; at: number; user: string; action: string; what: string; purpose: string; prevHash: string; hash: string }
export interface AccessLogVerdict { ok: boolean; entries: number; head: string; problems: string[] }
export const GENESIS: string;
export function accessEntryHash(e: Omit<AccessEntryLike, 'seq' | 'hash'>): string;
export function verifyAccessEntries(entries: Iterable<AccessEntryLike>, opts?: { head?: string }): AccessLogVerdict;
export function parseAccessLog(text: string, maxLine?: number): AccessEntryLike[];
