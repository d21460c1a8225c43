import { InputError } from '../domain/errors.ts';

export interface NameListIssue {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly message: string;
}

/** Lists at most this many problems in the message; the rest are counted. */
export const MAX_LISTED_ISSUES = 50;

/** Every problem in a name list, reported together so the operator can fix them in one pass. */
export class NameListError extends InputError {
  override name = 'NameListError';
  /** The first MAX_LISTED_ISSUES problems, in line order. */
  readonly issues: readonly NameListIssue[];
  /** How many problems there were in all. */
  readonly total: number;

  constructor(issues: readonly NameListIssue[]) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES);
    const more = issues.length - listed.length;
    const lines = listed.map((i) => `  line ${i.line}: ${i.message}`);
    if (more > 0) lines.push(`  ... and ${more} more`);
    super(`name list has ${issues.length} error${issues.length === 1 ? '' : 's'}; nothing was imported:\n${lines.join('\n')}`);
    this.issues = listed;
    this.total = issues.length;
  }
}

/** A .torrent or info dictionary that is malformed, or parameters that cannot make one. */
export class MetainfoError extends InputError {
  override name = 'MetainfoError';
}

/** Decoy parameters that do not fit together (e.g. a payload and a piece source of different sizes). */
export class DecoyError extends InputError {
  override name = 'DecoyError';
}
