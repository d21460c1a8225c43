import { ByteQueue } from './byte-queue.ts';
import { HANDSHAKE_LENGTH, LENGTH_PREFIX, MAX_FRAME_LENGTH } from './constants.ts';
import { WireError } from './errors.ts';
import { type Handshake, decodeHandshake, isProtocolPrefix } from './handshake.ts';
import { type Message, decodeMessage } from './messages.ts';

export interface FramerLimits {
  /** Largest frame body (id + payload, length prefix excluded) accepted; see MAX_FRAME_LENGTH. */
  maxFrameLength: number;
}

export const DEFAULT_FRAMER_LIMITS: FramerLimits = { maxFrameLength: MAX_FRAME_LENGTH };

export type Frame =
  | { kind: 'handshake'; handshake: Handshake }
  /** `wireLength` counts the length prefix too: the bytes this frame took on the wire. */
  | { kind: 'message'; message: Message; wireLength: number };

/**
 * Incremental, bounded reader of one direction of a peer-wire stream: the
 * optional 68-byte handshake, then length-prefixed messages (BEP 3).
 *
 * Use: `push(chunk)` then call `next()` until it returns undefined. Between
 * drains the framer holds at most one partial frame: <= 68 bytes before the
 * handshake, < maxFrameLength + 4 after it. A length prefix over the limit
 * throws as soon as its 4 bytes are in, without waiting for (or keeping) the body.
 * Decoded byte fields are views into pushed chunks, which must not be mutated.
 */
export class Framer {
  readonly #queue = new ByteQueue();
  readonly #limits: FramerLimits;
  #expectHandshake: boolean;
  #error: WireError | undefined;

  constructor(opts: { expectHandshake: boolean; limits?: Partial<FramerLimits> }) {
    this.#expectHandshake = opts.expectHandshake;
    this.#limits = { ...DEFAULT_FRAMER_LIMITS, ...opts.limits };
    const max = this.#limits.maxFrameLength;
    if (!Number.isSafeInteger(max) || max < 1 || max > 0xffffffff) throw new RangeError(`maxFrameLength must be 1..2^32-1, got ${max}`);
  }

  get buffered(): number { return this.#queue.length; }

  /** Append bytes read from the socket (after any decryption). Ignored once the framer is dead. */
  push(chunk: Uint8Array): void {
    if (this.#error === undefined) this.#queue.push(chunk);
  }

  /** Next complete frame, or undefined if more bytes are needed. Throws WireError on malformed input; after a throw the framer is dead and rethrows the same error. */
  next(): Frame | undefined {
    if (this.#error !== undefined) throw this.#error;
    try {
      return this.#expectHandshake ? this.#nextHandshake() : this.#nextMessage();
    } catch (e) {
      const err = e instanceof WireError ? e : new WireError('decode-failed', String(e), { cause: e });
      this.#error = err;
      this.#queue.clear(); // a dead connection keeps nothing
      throw err;
    }
  }

  #nextHandshake(): Frame | undefined {
    const q = this.#queue;
    // Fail at the first wrong byte: an MSE-encrypted or non-BitTorrent stream never reaches 68 bytes of sense.
    if (!isProtocolPrefix(q.peek(20))) throw new WireError('bad-protocol-string');
    if (q.length < HANDSHAKE_LENGTH) return undefined;
    const handshake = decodeHandshake(q.take(HANDSHAKE_LENGTH));
    this.#expectHandshake = false;
    return { kind: 'handshake', handshake };
  }

  #nextMessage(): Frame | undefined {
    const q = this.#queue;
    if (q.length < LENGTH_PREFIX) return undefined;
    const bodyLength = q.peekUint32();
    if (bodyLength > this.#limits.maxFrameLength) {
      throw new WireError('frame-too-long', `${bodyLength} > ${this.#limits.maxFrameLength}`);
    }
    if (q.length < LENGTH_PREFIX + bodyLength) return undefined;
    q.skip(LENGTH_PREFIX);
    const message = decodeMessage(q.take(bodyLength));
    return { kind: 'message', message, wireLength: LENGTH_PREFIX + bodyLength };
  }
}
