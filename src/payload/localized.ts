import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PayloadError } from './errors.ts';

/**
 * Localised warnings (issue 3 §2): help services per country and warning texts per
 * language, from an operator-editable JSON file (assets/help-services.json). The
 * renderer (scripts/render-payloads.ts) turns each `payloads` entry into
 * assets/payloads/warning-<lang>.mp4; a name-list row's language or country picks one.
 */
export interface HelpService { readonly name: string; readonly url: string }
export interface WarningText {
  readonly name: string; readonly title: string;
  /** The four points, in this order: what happened; police may know IP and activity; a crime that harms children; anonymous help. */
  readonly happened: string; readonly known: string; readonly crime: string; readonly help: string;
}
export interface LocalizedPayload { readonly lang: string; readonly countries: readonly string[] }
export interface HelpServices {
  readonly services: ReadonlyMap<string, HelpService>;
  /** Service ids per ISO 3166-1 country; '*' applies everywhere. */
  readonly countries: ReadonlyMap<string, readonly string[]>;
  readonly languages: ReadonlyMap<string, WarningText>;
  readonly payloads: readonly LocalizedPayload[];
}

/** Bounds: the file is operator-edited, a typo must give a message, not a huge allocation. */
const MAX_FILE_BYTES = 256 * 1024;
const MAX_ENTRIES = 300;
const MAX_TEXT = 300;
const LANG = /^[a-z]{2}$/;
const COUNTRY = /^(?:[A-Z]{2}|\*)$/;
const TEXT_KEYS = ['name', 'title', 'happened', 'known', 'crime', 'help'] as const;

export function helpServicesPath(): string {
  return fileURLToPath(new URL('../../assets/help-services.json', import.meta.url));
}

/** The bundled rendering of a language's warning (may not exist until rendered). */
export function localizedPayloadPath(lang: string): string {
  if (!LANG.test(lang)) throw new PayloadError(`not a language code: ${lang}`);
  return fileURLToPath(new URL(`../../assets/payloads/warning-${lang}.mp4`, import.meta.url));
}

export function loadHelpServices(path = helpServicesPath()): HelpServices {
  const raw = readFileSync(path);
  if (raw.length > MAX_FILE_BYTES) throw new PayloadError(`${path}: ${raw.length} bytes, over the limit of ${MAX_FILE_BYTES}`);
  let json: unknown;
  try { json = JSON.parse(raw.toString('utf8')); } catch (e) { throw new PayloadError(`${path}: not valid JSON: ${(e as Error).message}`); }
  return parseHelpServices(json, path);
}

export function parseHelpServices(json: unknown, where = 'help services'): HelpServices {
  const bad = (m: string): never => { throw new PayloadError(`${where}: ${m}`); };
  const obj = (v: unknown, what: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what} must be an object`);
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length > MAX_ENTRIES) bad(`${what} has more than ${MAX_ENTRIES} entries`);
    return o;
  };
  const text = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_TEXT || /[\u0000-\u001f]/.test(v)) bad(`${what} must be a non-empty one-line string of at most ${MAX_TEXT} characters`);
    return v as string;
  };
  const root = obj(json, 'the file');
  const services = new Map<string, HelpService>();
  for (const [id, v] of Object.entries(obj(root.services, 'services'))) {
    const s = obj(v, `services.${id}`);
    services.set(id, { name: text(s.name, `services.${id}.name`), url: text(s.url, `services.${id}.url`) });
  }
  const countries = new Map<string, string[]>();
  for (const [c, v] of Object.entries(obj(root.countries, 'countries'))) {
    if (!COUNTRY.test(c)) bad(`countries: "${c}" is not an ISO 3166-1 alpha-2 code or "*"`);
    if (!Array.isArray(v) || v.length > MAX_ENTRIES) bad(`countries.${c} must be a list of service ids`);
    for (const id of v as unknown[]) if (typeof id !== 'string' || !services.has(id)) bad(`countries.${c}: unknown service "${String(id)}"`);
    countries.set(c, v as string[]);
  }
  const languages = new Map<string, WarningText>();
  for (const [l, v] of Object.entries(obj(root.languages, 'languages'))) {
    if (!LANG.test(l)) bad(`languages: "${l}" is not an ISO 639-1 code`);
    const t = obj(v, `languages.${l}`);
    const out: Record<string, string> = {};
    for (const k of TEXT_KEYS) out[k] = text(t[k], `languages.${l}.${k}`);
    languages.set(l, out as unknown as WarningText);
  }
  if (!Array.isArray(root.payloads) || root.payloads.length > MAX_ENTRIES) bad('payloads must be a list');
  const payloads = (root.payloads as unknown[]).map((v, i) => {
    const p = obj(v, `payloads[${i}]`);
    const lang = typeof p.lang === 'string' && languages.has(p.lang) ? p.lang : bad(`payloads[${i}].lang must name one of languages`);
    if (!Array.isArray(p.countries) || p.countries.some((c) => typeof c !== 'string' || !/^[A-Z]{2}$/.test(c))) bad(`payloads[${i}].countries must be a list of country codes`);
    return { lang, countries: p.countries as string[] };
  });
  if (new Set(payloads.map((p) => p.lang)).size !== payloads.length) bad('payloads: one entry per language');
  return { services, countries, languages, payloads };
}

/** Help services for a payload: its countries' own first, then those for everywhere; no repeats. */
export function servicesFor(h: HelpServices, countries: readonly string[]): HelpService[] {
  const ids = [...countries.flatMap((c) => h.countries.get(c) ?? []), ...(h.countries.get('*') ?? [])];
  return [...new Set(ids)].map((id) => h.services.get(id)!);
}

/**
 * The localised payload for a name-list row's code: a language (`de`) picks that
 * language's payload; a country (`AT`) the payload that lists it. Undefined if none.
 */
export function localizedPayloadFor(h: HelpServices, code: string): LocalizedPayload | undefined {
  if (LANG.test(code)) return h.payloads.find((p) => p.lang === code);
  return h.payloads.find((p) => p.countries.includes(code));
}

/** Path of the rendered payload for a row's code, when the file exists. */
export function bundledPayloadFor(h: HelpServices, code: string): { lang: string; path: string } | undefined {
  const p = localizedPayloadFor(h, code);
  if (!p) return undefined;
  const path = localizedPayloadPath(p.lang);
  return existsSync(path) ? { lang: p.lang, path } : undefined;
}
