/**
 * Splits one CSV record (RFC 4180 §2) into fields. A field starting with `"` is
 * quoted: it may contain commas, and `""` stands for one `"`. Unquoted fields are
 * trimmed. Records never span lines here: names may not contain line breaks, so an
 * unclosed quote is an error on its own line rather than swallowing the next ones.
 */
export function splitCsvLine(line: string): { fields: string[] } | { error: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return { error: 'unterminated quoted field (a closing " is missing)' };
        value += line.slice(i, q);
        if (line[q + 1] === '"') { value += '"'; i = q + 2; continue; }
        i = q + 1;
        break;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') return { error: 'unexpected text after a closing quote' };
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end).trim());
      i = end;
    }
    if (i >= line.length) return { fields };
    i++; // past the comma
  }
}
