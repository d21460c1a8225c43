/**
 * MSE responder ("B" side) as a sans-IO state machine. Spec: wiki.vuze.com/w/Message_Stream_Encryption
 *
 *   1 A->B: Ya, PadA
 *   2 B->A: Yb, PadB                                   (sent as soon as Ya is complete)
 *   3 A->B: HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S),
 *           ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA)), ENCRYPT(IA)
 *   4 B->A: ENCRYPT(VC, crypto_select, len(PadD), PadD), ENCRYPT2(payload stream)
 *
 * ENCRYPT is RC4 with the first 1024 keystream bytes dropped: A->B keyed by HASH('keyA', S, SKEY),
 * B->A by HASH('keyB', S, SKEY). IA and step 4 are always RC4 (libtorrent: "ia is always rc4");
 * ENCRYPT2 is RC4 continuing the same streams, or nothing when plaintext was selected.
 *
 * Buffering between push() calls never exceeds MSE_MAX_BUFFERED bytes:
 * Ya <= 95, sync window (PadA + req1) <= 531, obfuscated SKEY <= 19, VC..len(PadC) <= 13,
 * PadC + len(IA) <= 513, IA <= MAX_IA_BYTES - 1. Everything past IA goes to MseResult.initial.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { concatBytes, indexOfBytes } from './bytes.ts';
import {
  CRYPTO_PLAINTEXT, CRYPTO_RC4, DH_KEY_BYTES, HASH_BYTES, MAX_IA_BYTES, MAX_PAD, RC4_DISCARD, VC_BYTES,
} from './constants.ts';
import { createDhKeyPair, type DhKeyPair } from './dh.ts';
import { MseError } from './errors.ts';
import { keyA, keyB, req1Hash, req3Hash, xor20 } from './hashes.ts';
import { Rc4 } from './rc4.ts';

export { MseError } from './errors.ts';
export type { MseFailure } from './errors.ts';

export interface MseResponderOptions {
  /** Map HASH('req2', SKEY) (20 bytes) back to a known infohash (20 bytes), or undefined if unknown. The seeder keeps a precomputed index (see buildReq2Resolver). */
  resolveReq2(req2: Uint8Array): Uint8Array | undefined;
  /** Accept crypto_select = plaintext (0x01) if the initiator offers only plaintext. Default false: we select RC4 whenever it is offered. */
  allowPlaintext?: boolean;
  /** Private DH key source, injectable for tests; default random. */
  privateKey?: Uint8Array;
  /**
   * len(PadD) of step 4 as the presented client sends it (issue 10 item 3): random 0..512 as
   * libtorrent does (default), or always 0 as Transmission 3.00 does (both captured on loopback).
   */
  padD?: 'random' | 'none';
}

export interface MseResult {
  infoHash: Uint8Array;
  method: 'rc4' | 'plaintext';
  /** Decrypted bytes that followed the handshake: IA plus anything after it. Feed these to the BitTorrent framer. */
  initial: Uint8Array;
  /** Encrypt outgoing / decrypt incoming stream bytes (identity for plaintext: returns its argument). Stateful (RC4 stream). */
  encrypt(data: Uint8Array): Uint8Array;
  decrypt(data: Uint8Array): Uint8Array;
}

export interface MseStep { send: Uint8Array[]; result?: MseResult }

/** VC(8) + crypto_provide(4) + len(PadC)(2): the fixed head of the encrypted part of step 3. */
const HEAD_BYTES = VC_BYTES + 4 + 2;
/** PadA plus the req1 hash; Ya has already been consumed when the sync search runs. */
const SYNC_WINDOW = MAX_PAD + HASH_BYTES;

/** Upper bound on `buffered` between push() calls (the IA stage dominates). */
export const MSE_MAX_BUFFERED = Math.max(DH_KEY_BYTES, SYNC_WINDOW, HASH_BYTES, HEAD_BYTES, MAX_PAD + 2, MAX_IA_BYTES) - 1;

type Stage = 'ya' | 'sync' | 'skey' | 'head' | 'padc' | 'ia' | 'done';
const EMPTY = new Uint8Array(0);
const identity = (d: Uint8Array): Uint8Array => d;

export class MseResponder {
  readonly #opts: MseResponderOptions;
  readonly #dh: DhKeyPair;
  #stage: Stage = 'ya';
  #failure: MseError | undefined;
  #buf: Uint8Array = EMPTY;
  #s: Uint8Array = EMPTY;
  #req1: Uint8Array = EMPTY;
  /** Post-Ya offsets already ruled out as the start of req1. */
  #syncScanned = 0;
  #infoHash: Uint8Array = EMPTY;
  #dec: Rc4 | undefined;
  #enc: Rc4 | undefined;
  #method: 'rc4' | 'plaintext' = 'rc4';
  #padCLen = 0;
  #iaLen = 0;

  constructor(opts: MseResponderOptions) {
    this.#opts = opts;
    this.#dh = createDhKeyPair(opts.privateKey);
  }

  /** Bytes held for an incomplete handshake step; at most MSE_MAX_BUFFERED between calls. */
  get buffered(): number {
    return this.#buf.length;
  }

  /** Feed raw bytes from the socket; returns bytes to write to the socket and, once complete, the result. Throws MseError. */
  push(chunk: Uint8Array): MseStep {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#stage === 'done') throw new MseError('mse:already-complete');
    const work = this.#buf.length === 0 ? chunk : concatBytes([this.#buf, chunk]);
    try {
      return this.#run(work);
    } catch (e) {
      if (e instanceof MseError) {
        this.#failure = e;
        this.#buf = EMPTY;
      }
      throw e;
    }
  }

  #run(work: Uint8Array): MseStep {
    const send: Uint8Array[] = [];
    let result: MseResult | undefined;
    let pos = 0;
    const has = (n: number): boolean => work.length - pos >= n;
    loop: for (;;) {
      switch (this.#stage) {
        case 'ya': {
          if (!has(DH_KEY_BYTES)) break loop;
          this.#s = this.#dh.computeSecret(work.subarray(pos, pos + DH_KEY_BYTES));
          this.#req1 = req1Hash(this.#s);
          pos += DH_KEY_BYTES;
          send.push(concatBytes([this.#dh.publicKey, randomBytes(randomInt(0, MAX_PAD + 1))]));
          this.#stage = 'sync';
          break;
        }
        case 'sync': {
          const at = indexOfBytes(work, this.#req1, pos + this.#syncScanned, pos + SYNC_WINDOW);
          if (at < 0) {
            const avail = work.length - pos;
            if (avail >= SYNC_WINDOW) throw new MseError('mse:no-sync', `no HASH('req1', S) within ${DH_KEY_BYTES + SYNC_WINDOW} bytes`);
            this.#syncScanned = Math.max(0, avail - HASH_BYTES + 1);
            break loop;
          }
          pos = at + HASH_BYTES;
          this.#stage = 'skey';
          break;
        }
        case 'skey': {
          if (!has(HASH_BYTES)) break loop;
          const req2 = xor20(work.subarray(pos, pos + HASH_BYTES), req3Hash(this.#s));
          const ih = this.#opts.resolveReq2(req2);
          if (ih === undefined || ih.length !== 20) throw new MseError('mse:unknown-infohash');
          this.#infoHash = new Uint8Array(ih);
          this.#dec = new Rc4(keyA(this.#s, ih));
          this.#dec.discard(RC4_DISCARD);
          this.#enc = new Rc4(keyB(this.#s, ih));
          this.#enc.discard(RC4_DISCARD);
          pos += HASH_BYTES;
          this.#stage = 'head';
          break;
        }
        case 'head': {
          if (!has(HEAD_BYTES)) break loop;
          const head = this.#dec!.process(work.subarray(pos, pos + HEAD_BYTES));
          for (let i = 0; i < VC_BYTES; i++) if (head[i] !== 0) throw new MseError('mse:bad-vc');
          const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
          this.#method = this.#select(view.getUint32(VC_BYTES));
          this.#padCLen = view.getUint16(VC_BYTES + 4);
          if (this.#padCLen > MAX_PAD) throw new MseError('mse:pad-too-long', `len(PadC) = ${this.#padCLen}`);
          pos += HEAD_BYTES;
          this.#stage = 'padc';
          break;
        }
        case 'padc': {
          if (!has(this.#padCLen + 2)) break loop;
          // PadC's content is meaningless (spec: reserved for future extensions); only advance the stream.
          this.#dec!.discard(this.#padCLen);
          pos += this.#padCLen;
          const len = this.#dec!.process(work.subarray(pos, pos + 2));
          this.#iaLen = (len[0]! << 8) | len[1]!;
          if (this.#iaLen > MAX_IA_BYTES) throw new MseError('mse:ia-too-long', `len(IA) = ${this.#iaLen} > ${MAX_IA_BYTES}`);
          pos += 2;
          this.#stage = 'ia';
          break;
        }
        case 'ia': {
          if (!has(this.#iaLen)) break loop;
          result = this.#finish(work.subarray(pos, pos + this.#iaLen), work.subarray(pos + this.#iaLen), send);
          pos = work.length;
          break loop;
        }
        case 'done':
          break loop;
      }
    }
    // Copy what we keep: the caller may reuse its chunk, and a view would pin a large buffer.
    this.#buf = pos >= work.length ? EMPTY : work.slice(pos);
    return result === undefined ? { send } : { send, result };
  }

  /** Spec step 3: "crypto_select ... B selects one of the methods A provides"; we prefer RC4. */
  #select(provide: number): 'rc4' | 'plaintext' {
    if ((provide & CRYPTO_RC4) !== 0) return 'rc4';
    if ((provide & CRYPTO_PLAINTEXT) !== 0 && this.#opts.allowPlaintext === true) return 'plaintext';
    throw new MseError('mse:no-common-method', `crypto_provide = 0x${provide.toString(16)}`);
  }

  #finish(iaCipher: Uint8Array, rest: Uint8Array, send: Uint8Array[]): MseResult {
    const dec = this.#dec!;
    const enc = this.#enc!;
    const rc4 = this.#method === 'rc4';
    const ia = dec.process(iaCipher);
    const after = rc4 ? dec.process(rest) : rest;
    const initial = concatBytes([ia, after]);

    // Step 4: ENCRYPT(VC, crypto_select, len(PadD), PadD), always RC4 with keyB.
    const padD = this.#opts.padD === 'none' ? 0 : randomInt(0, MAX_PAD + 1);
    const msg = new Uint8Array(VC_BYTES + 4 + 2 + padD);
    const view = new DataView(msg.buffer);
    view.setUint32(VC_BYTES, rc4 ? CRYPTO_RC4 : CRYPTO_PLAINTEXT);
    view.setUint16(VC_BYTES + 4, padD);
    send.push(enc.process(msg));

    this.#stage = 'done';
    this.#dec = undefined;
    this.#enc = undefined;
    return {
      infoHash: new Uint8Array(this.#infoHash),
      method: this.#method,
      initial,
      encrypt: rc4 ? (d) => enc.process(d) : identity,
      decrypt: rc4 ? (d) => dec.process(d) : identity,
    };
  }
}
