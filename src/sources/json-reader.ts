/**
 * Strict, streaming readers for JSON partner files. Each row is one JSON object of at most
 * MAX_OBJECT characters, parsed by JSON.parse (so the JSON is exactly RFC 8259); memory stays bounded
 * whatever the file's size.
 *
 * - NDJSON: one object per line (LF or CRLF), no blank lines; the last line break is optional.
 * - JSON: one array of objects, `[ {...}, {...} ]`; this reader only finds where each element ends
 *   (string and nesting aware) and checks the commas and brackets between them.
 */

import { readLines, scanChunks, type ChunkFailure } from './chunked-text.ts';

export const MAX_OBJECT = 64 * 1024;

export class JsonRowError extends Error {
  override name = 'JsonRowError';
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

export interface JsonRecord {
  readonly line: number;
  readonly value: Record<string, unknown>;
}

function object(line: number, text: string): Record<string, unknown> {
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) { throw new JsonRowError(line, `not JSON: ${(e as Error).message}`); }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new JsonRowError(line, 'a row must be a JSON object');
  return v as Record<string, unknown>;
}

const fail = (line: number, why: ChunkFailure) => new JsonRowError(line, why === 'not-utf8' ? 'the file is not UTF-8 text' : `a row longer than ${MAX_OBJECT} characters`);

/** Rows as one array per chunk read (a promise per chunk, not per row). */
export async function* readNdjson(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<JsonRecord[]> {
  for await (const { first, lines } of readLines(chunks, MAX_OBJECT, fail)) {
    const out: JsonRecord[] = [];
    for (let k = 0; k < lines.length; k++) {
      const line = first + k;
      let text = lines[k]!;
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text === '') throw new JsonRowError(line, 'an empty line');
      out.push({ line, value: object(line, text) });
    }
    yield out;
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);

/** Rows as one array per chunk read. */
export async function* readJsonArray(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<JsonRecord[]> {
  let line = 1;
  // expect: '[' first; then an element or ']'; after an element ',' or ']'; after ',' an element; 'end' after ']'.
  let expect: 'open' | 'first' | 'element' | 'separator' | 'end' = 'open';
  // Where the scan goes on in the text scanChunks hands over (what was left + the new chunk).
  let pos = 0;
  // Inside an element: where it began in that text, its line, nesting depth, string state.
  let start = -1, startLine = 0, depth = 0, inString = false, escaped = false;
  const bad = (what: string) => new JsonRowError(line, what);
  const scan = (buf: string, final: boolean, out: JsonRecord[]): number => {
    for (; pos < buf.length; pos++) {
      const c = buf[pos]!;
      if (c === '\n') line++;
      if (start >= 0) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          if (--depth === 0) {
            if (pos + 1 - start > MAX_OBJECT) throw new JsonRowError(startLine, `a row longer than ${MAX_OBJECT} characters`);
            out.push({ line: startLine, value: object(startLine, buf.slice(start, pos + 1)) });
            start = -1;
            expect = 'separator';
          }
        }
        continue;
      }
      if (WS.has(c)) continue;
      if (expect === 'open') { if (c !== '[') throw bad('a JSON file must be one array of row objects: [ {...}, ... ]'); expect = 'first'; continue; }
      if (expect === 'end') throw bad('text after the closing ]');
      if (expect === 'separator') {
        if (c === ',') expect = 'element';
        else if (c === ']') expect = 'end';
        else throw bad(`expected , or ] between rows, got ${JSON.stringify(c)}`);
        continue;
      }
      if (c === ']' && expect === 'first') { expect = 'end'; continue; }
      if (c !== '{') throw bad(`a row must be a JSON object, got ${JSON.stringify(c)}`);
      start = pos; startLine = line; depth = 1;
    }
    if (final) {
      if (start >= 0) throw new JsonRowError(startLine, 'the file ends inside a row');
      if (expect !== 'end') throw bad(expect === 'open' ? 'the file is empty' : 'the file ends before the closing ]');
    }
    // Only the open element (if any) is carried over: memory stays bounded.
    const keepFrom = start >= 0 ? start : pos;
    pos -= keepFrom;
    if (start >= 0) start = 0;
    return keepFrom;
  };
  yield* scanChunks(chunks, MAX_OBJECT, scan, (why) => fail(start >= 0 ? startLine : line, why));
}
