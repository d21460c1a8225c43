import { WireError } from '../wire/errors.ts';

/**
 * What a peer says it has (bitfield, have, have_all, have_none), bounded by the decoy's
 * piece count. Remembers the first report, so a delivery shows progress made while connected.
 */
export class PeerPieces {
  readonly #n: number;
  #bits: Uint8Array | undefined;
  #count = 0;
  #all = false;
  #startBits: Uint8Array | 'all' | 'none' | undefined;
  #atStart: number | null = null;

  constructor(pieceCount: number) {
    this.#n = pieceCount;
  }

  bitfield(b: Uint8Array): void {
    // BEP 3: the bitfield comes once, before any have (an extended handshake may precede it);
    // its length is exact and spare bits are zero. Exception: aria2 1.36 sends a whole
    // bitfield mid-connection instead of 20 or more have messages (DefaultBtInteractive::
    // checkHave); a later bitfield therefore updates what the peer has, it never resets
    // the start, and it never takes away pieces already reported.
    const need = Math.ceil(this.#n / 8);
    if (b.length !== need) throw new WireError('bad-bitfield-length', `${b.length} != ${need}`);
    const spare = need * 8 - this.#n;
    if (spare > 0 && (b[need - 1]! & ((1 << spare) - 1)) !== 0) throw new WireError('bitfield-spare-bits');
    const later = this.known;
    if (later && this.#all) return;
    const bits = new Uint8Array(b);
    if (later && this.#bits) for (let i = 0; i < need; i++) bits[i]! |= this.#bits[i]!;
    this.#bits = bits;
    this.#count = 0;
    for (const byte of this.#bits) this.#count += popcount(byte);
    this.#all = this.#count === this.#n;
    if (!later) this.#markStart(new Uint8Array(this.#bits));
  }

  have(index: number): void {
    if (index >= this.#n) throw new WireError('bad-have-index', `${index} >= ${this.#n}`);
    if (this.#all) return;
    this.#bits ??= new Uint8Array(Math.ceil(this.#n / 8));
    if (this.#startBits === undefined) this.#markStart('none');
    const mask = 0x80 >> (index & 7);
    if ((this.#bits[index >> 3]! & mask) === 0) {
      this.#bits[index >> 3]! |= mask;
      if (++this.#count === this.#n) this.#all = true;
    }
  }

  all(): void {
    if (this.#startBits === undefined) this.#markStart('all');
    this.#all = true;
    this.#count = this.#n;
  }

  none(): void {
    if (this.known) throw new WireError('have-none-not-first');
    this.#bits = new Uint8Array(Math.ceil(this.#n / 8));
    this.#count = 0;
    this.#markStart('none');
  }

  #markStart(s: Uint8Array | 'all' | 'none'): void {
    this.#startBits = s;
    this.#atStart = s === 'all' ? this.#n : s === 'none' ? 0 : this.#count;
  }

  hadAtStart(index: number): boolean {
    const s = this.#startBits;
    if (s === undefined || s === 'none') return false;
    if (s === 'all') return true;
    return (s[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  }

  get known(): boolean { return this.#startBits !== undefined; }
  get count(): number { return this.#count; }
  get complete(): boolean { return this.#all; }
  get atStart(): number | null { return this.#atStart; }
}

function popcount(x: number): number {
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}
