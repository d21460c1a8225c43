import { type BDict, type BValue, type BencodeLimits, BencodeError, DEFAULT_BENCODE_LIMITS } from './types.ts';

const C_I = 0x69, C_L = 0x6c, C_D = 0x64, C_E = 0x65, C_COLON = 0x3a, C_MINUS = 0x2d, C_0 = 0x30, C_9 = 0x39;
/** Integers longer than this (sign included) are rejected before parsing: 2^63 has 19 digits. */
const MAX_INT_DIGITS = 20;

export interface DecodeResult {
  readonly value: BValue;
  /** Offset just past the decoded value; BEP 9 data messages carry raw bytes after it. */
  readonly end: number;
}

/** Decodes exactly one value that must span the whole buffer. */
export function decode(buf: Uint8Array, limits: BencodeLimits = DEFAULT_BENCODE_LIMITS): BValue {
  const r = decodePrefix(buf, limits);
  if (r.end !== buf.length) throw new BencodeError('trailing bytes after value', r.end);
  return r.value;
}

/** Decodes one value from the start of the buffer and reports where it ended. */
export function decodePrefix(buf: Uint8Array, limits: BencodeLimits = DEFAULT_BENCODE_LIMITS): DecodeResult {
  const state = { pos: 0, items: 0 };
  const value = readValue(buf, state, limits, 0);
  return { value, end: state.pos };
}

interface State { pos: number; items: number }

function readValue(buf: Uint8Array, s: State, lim: BencodeLimits, depth: number): BValue {
  if (++s.items > lim.maxItems) throw new BencodeError(`more than ${lim.maxItems} values`, s.pos);
  const c = buf[s.pos];
  if (c === undefined) throw new BencodeError('unexpected end of input', s.pos);
  if (c === C_I) return readInt(buf, s);
  if (c >= C_0 && c <= C_9) return readBytes(buf, s, lim);
  if (c === C_L || c === C_D) {
    if (depth >= lim.maxDepth) throw new BencodeError(`nesting deeper than ${lim.maxDepth}`, s.pos);
    return c === C_L ? readList(buf, s, lim, depth + 1) : readDict(buf, s, lim, depth + 1);
  }
  throw new BencodeError(`unexpected byte 0x${c.toString(16)}`, s.pos);
}

function readInt(buf: Uint8Array, s: State): number | bigint {
  const start = ++s.pos;
  const end = buf.indexOf(C_E, start);
  if (end < 0) throw new BencodeError('unterminated integer', start);
  if (end - start > MAX_INT_DIGITS) throw new BencodeError('integer too long', start);
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
  // BEP 3: no leading zeros, no negative zero, no empty integer.
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) throw new BencodeError(`invalid integer "${text}"`, start);
  s.pos = end + 1;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function readLength(buf: Uint8Array, s: State, lim: BencodeLimits): number {
  const start = s.pos;
  let n = 0;
  let p = s.pos;
  for (;;) {
    const c = buf[p];
    if (c === undefined) throw new BencodeError('unexpected end of input in string length', p);
    if (c === C_COLON) break;
    if (c < C_0 || c > C_9) throw new BencodeError('invalid string length', p);
    if (p > start && buf[start] === C_0) throw new BencodeError('leading zero in string length', start);
    n = n * 10 + (c - C_0);
    if (n > lim.maxStringLength) throw new BencodeError(`string longer than ${lim.maxStringLength}`, start);
    p++;
  }
  if (p === start) throw new BencodeError('empty string length', start);
  s.pos = p + 1;
  return n;
}

function readBytes(buf: Uint8Array, s: State, lim: BencodeLimits): Uint8Array {
  const n = readLength(buf, s, lim);
  const end = s.pos + n;
  if (end > buf.length) throw new BencodeError('string runs past end of input', s.pos);
  const out = buf.subarray(s.pos, end);
  s.pos = end;
  return out;
}

function readList(buf: Uint8Array, s: State, lim: BencodeLimits, depth: number): BValue[] {
  s.pos++;
  const out: BValue[] = [];
  for (;;) {
    if (buf[s.pos] === C_E) { s.pos++; return out; }
    out.push(readValue(buf, s, lim, depth));
  }
}

function readDict(buf: Uint8Array, s: State, lim: BencodeLimits, depth: number): BDict {
  s.pos++;
  const out: BDict = new Map();
  let prev: string | undefined;
  for (;;) {
    if (buf[s.pos] === C_E) { s.pos++; return out; }
    const keyAt = s.pos;
    const c = buf[s.pos];
    if (c === undefined || c < C_0 || c > C_9) throw new BencodeError('dictionary key must be a string', s.pos);
    if (++s.items > lim.maxItems) throw new BencodeError(`more than ${lim.maxItems} values`, s.pos);
    const kb = readBytes(buf, s, lim);
    // True latin1 (one char per byte): TextDecoder('latin1') is windows-1252 and remaps 0x80-0x9F.
    const key = Buffer.from(kb.buffer, kb.byteOffset, kb.length).toString('latin1');
    // BEP 3: keys are sorted as raw strings; duplicates are malformed.
    if (prev !== undefined && key <= prev) throw new BencodeError(key === prev ? `duplicate key "${key}"` : `unsorted key "${key}"`, keyAt);
    prev = key;
    out.set(key, readValue(buf, s, lim, depth));
  }
}
