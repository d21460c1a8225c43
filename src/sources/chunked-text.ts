/**
 * The one chunk loop of the partner-file readers (csv-reader.ts, json-reader.ts): UTF-8 text decoded
 * strictly as the file streams, what a reader could not finish carried over to the next chunk, and
 * that carry bounded, so memory stays bounded whatever the file's size (issue 14 §1: a 1 GB file).
 * Records go out as one array per chunk read: a promise per chunk, not per record (issue 14: >= 200,000 rows/s).
 */

export type ChunkFailure = 'not-utf8' | 'too-long';

/**
 * Runs `scan` over the text: each time over what it left unconsumed followed by the next chunk's text,
 * and once more with `final` true at the end (with whatever is left, possibly ''). `scan` pushes the
 * records it finds to `out` and returns how many characters of `text` it consumed. `fail` makes the
 * reader's own error (with its line) for text that is not UTF-8, or a carry longer than `maxCarry`.
 */
export async function* scanChunks<T>(
  chunks: AsyncIterable<Uint8Array>,
  maxCarry: number,
  scan: (text: string, final: boolean, out: T[]) => number,
  fail: (why: ChunkFailure) => Error,
): AsyncGenerator<T[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const decode = (c?: Uint8Array): string => {
    try { return c === undefined ? decoder.decode() : decoder.decode(c, { stream: true }); } catch { throw fail('not-utf8'); }
  };
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + decode(chunk);
    const out: T[] = [];
    carry = text.slice(scan(text, false, out));
    if (out.length > 0) yield out;
    if (carry.length > maxCarry) throw fail('too-long');
  }
  const out: T[] = [];
  scan(carry + decode(), true, out);
  if (out.length > 0) yield out;
}

/** Consecutive lines of a file: `lines[i]` is line `first + i` (1-based), without its LF (a CR before it is kept). */
export interface Lines {
  readonly first: number;
  readonly lines: string[];
}

/**
 * The file's lines, one batch per chunk read. A last line without a line break is a line; a file
 * ending in a line break has no empty line after it. A line longer than `maxLine` characters, or
 * text that is not UTF-8, is refused with the reader's error `fail(line, why)` (the line it is on).
 */
export async function* readLines(chunks: AsyncIterable<Uint8Array>, maxLine: number, fail: (line: number, why: ChunkFailure) => Error): AsyncGenerator<Lines> {
  let next = 1;
  const scan = (text: string, final: boolean, out: Lines[]): number => {
    const lines: string[] = [];
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', pos)) {
      if (nl - pos > maxLine) throw fail(next + lines.length, 'too-long');
      lines.push(text.slice(pos, nl));
      pos = nl + 1;
    }
    if (final && pos < text.length) {
      if (text.length - pos > maxLine) throw fail(next + lines.length, 'too-long');
      lines.push(text.slice(pos));
      pos = text.length;
    }
    if (lines.length > 0) { out.push({ first: next, lines }); next += lines.length; }
    return pos;
  };
  for await (const batches of scanChunks(chunks, maxLine, scan, (why) => fail(next, why))) {
    yield* batches;
  }
}
