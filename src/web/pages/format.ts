import { CSRF_FIELD } from '../auth/session.ts';
import { html, type Raw } from './html.ts';

/** Formatting shared by the issue 14 pages (sources, risk, referrals, cases). Every time is UTC. */
export const iso = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));
export const day = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 10));
export const csrfInput = (token: string | undefined): Raw => html`<input type="hidden" name="${CSRF_FIELD}" value="${token ?? ''}">`;
/** The purpose field every consultation form carries (LED Art. 25: logged with what was shown). */
export const purposeField = (value: string | undefined): Raw => html`<label>Purpose or case reference (required, logged) <input name="purpose" required minlength="3" maxlength="500" value="${value ?? ''}"></label>`;
/** A form field as a bounded string (parseBody gives strings or files). */
export const field = (f: Record<string, unknown>, k: string, max = 2000): string => (typeof f[k] === 'string' ? (f[k] as string).slice(0, max) : '');
/** Admiralty/NATO code (STANAG 2511), in words beside the letter and digit. */
export const RELIABILITY_WORDS: Record<string, string> = { A: 'completely reliable', B: 'usually reliable', C: 'fairly reliable', D: 'not usually reliable', E: 'unreliable', F: 'reliability cannot be judged' };
export const CREDIBILITY_WORDS: Record<string, string> = { 1: 'confirmed', 2: 'probably true', 3: 'possibly true', 4: 'doubtful', 5: 'improbable', 6: 'truth cannot be judged' };
export const gradeText = (reliability: string, credibility: string | number): string => `${reliability}${credibility} (${RELIABILITY_WORDS[reliability] ?? '?'}; ${CREDIBILITY_WORDS[String(credibility)] ?? '?'})`;
