/**
 * HTML output. `esc` is THE escaping function: every value that reaches a page goes through it,
 * by way of the `html` tag below (interpolations are escaped unless they are Raw, i.e. markup this
 * code built). Decoy names come from operator lists and may contain anything (issue 13 §2).
 */
export class Raw {
  readonly value: string;
  constructor(value: string) { this.value = value; }
  toString(): string { return this.value; }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes for HTML text and quoted attribute values. */
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"'`]/g, (ch) => ENTITIES[ch]!);

type Value = Raw | string | number | boolean | null | undefined | readonly Value[];
const render = (v: Value): string => v instanceof Raw ? v.value : Array.isArray(v) ? v.map(render).join('') : esc(v);

/** Tagged template: `html\`<td>${name}</td>\`` escapes `name`; nested html`` results pass through. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Raw {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Raw(out);
}

/** Bidi isolation for names that may carry right-to-left marks: they cannot reorder the text around them. */
export const name = (v: string): Raw => html`<bdi>${v}</bdi>`;
