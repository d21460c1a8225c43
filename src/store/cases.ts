/** The case register (issue 14 part 5): a light record of what an investigation links together. Never evidence. */

export type CaseLinkKind = 'ip' | 'record' | 'source' | 'export';
export const CASE_LINK_KINDS: readonly CaseLinkKind[] = ['ip', 'record', 'source', 'export'];

export interface CaseRow {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly createdAt: number;
}

export interface CaseSummary extends CaseRow { readonly links: number; readonly notes: number; readonly updatedAt: number }

export interface CaseLink { readonly kind: CaseLinkKind; readonly ref: string; readonly addedAt: number }
export interface CaseEntry { readonly at: number; readonly kind: 'note' | 'status'; readonly text: string }

export interface CaseRegister {
  /** False (nothing written) when the id is taken. */
  create(c: CaseRow): boolean;
  get(id: string): CaseRow | undefined;
  list(limit: number, status?: string): CaseSummary[];
  /** Adds links in one transaction; returns how many were new (a link already there is kept once). */
  link(id: string, links: readonly { readonly kind: CaseLinkKind; readonly ref: string }[], at: number): number;
  links(id: string): CaseLink[];
  note(id: string, text: string, at: number): void;
  /** Sets the status and appends the change to the case's entries, in one transaction. */
  setStatus(id: string, status: string, at: number): void;
  entries(id: string): CaseEntry[];
}
