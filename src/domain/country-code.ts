import { InputError } from './errors.ts';

/**
 * ISO 3166-1 alpha-2 country codes, as the enrichment stores them (DB-IP's codes, XK for Kosovo
 * included). Checked against the region names Node's ICU carries (CLDR), so no list is kept here:
 * a code ICU cannot name is unknown. CLDR also names groupings and reserved codes that are not a
 * country an agency or an ISP belongs to; those are refused by name.
 */
const NOT_A_COUNTRY = new Set(['ZZ', 'EU', 'EZ', 'UN', 'QO', 'UK']);
const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** The country's English name, or undefined for a code that is not a country. */
export function countryName(code: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(code) || NOT_A_COUNTRY.has(code)) return undefined;
  const name = names.of(code);
  return name === undefined || name === code ? undefined : name;
}

/** The code in upper case, or an InputError naming `what` ("line 3"). */
export function parseCountryCode(text: string, what: string): string {
  const code = text.trim().toUpperCase();
  if (countryName(code) === undefined) {
    throw new InputError(`${what}: unknown country code ${JSON.stringify(text)} (expected ISO 3166-1 alpha-2, e.g. NO, SE, GB${code === 'UK' ? '; the United Kingdom is GB' : ''})`);
  }
  return code;
}
