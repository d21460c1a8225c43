/**
 * Test-only MSE initiator ("A" side), sans-IO, written from the spec text
 * (wiki.vuze.com/w/Message_Stream_Encryption) independently of src/bittorrent/mse/responder.ts:
 * its own prime, BigInt DH and hashing; only the RC4 primitive (checked against RFC 6229) is shared.
 * Options allow hostile deviations (bad VC, long PadC, oversized IA) to test the responder.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Rc4 } from '../../src/bittorrent/mse/rc4.ts';

const P = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563',
);

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

export function toBytes96(v: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(v.toString(16).padStart(192, '0'), 'hex'));
}

export function fromBytes(b: Uint8Array): bigint {
  return BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
}

function sha1(...parts: (string | Uint8Array)[]): Uint8Array {
  const h = createHash('sha1');
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
  return new Uint8Array(h.digest());
}

function cat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >>> 8) & 0xff, n & 0xff]);
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function rc4Dropped(key: Uint8Array): Rc4 {
  const r = new Rc4(key);
  r.discard(1024);
  return r;
}

export interface MseInitiatorOptions {
  infoHash: Uint8Array;
  /** crypto_provide bits: 0x01 plaintext, 0x02 RC4 (0 allowed for hostile tests). */
  cryptoProvide: number;
  /** Default random 0..512. */
  padALength?: number;
  /** Default 0; values above 512 are sent as-is (hostile). */
  padCLength?: number;
  /** IA; default empty. Lengths above the responder's cap are sent as-is (hostile). */
  initialPayload?: Uint8Array;
  /** Default 20 random bytes. */
  privateKey?: Uint8Array;
  /** Hostile: VC to send instead of 8 zero bytes. */
  vc?: Uint8Array;
  /**
   * Payload stream bytes pipelined right after IA, before B's reply. Only defined when a single
   * method is provided (0x02: RC4-continued, 0x01: raw), since A does not know crypto_select yet.
   */
  afterIa?: Uint8Array;
}

export interface MseInitiatorResult {
  method: 'rc4' | 'plaintext';
  /** Decrypted bytes that followed PadD. */
  initial: Uint8Array;
  encrypt(data: Uint8Array): Uint8Array;
  decrypt(data: Uint8Array): Uint8Array;
}

export class MseInitiator {
  readonly #o: MseInitiatorOptions;
  readonly #x: bigint;
  #stage: 'new' | 'yb' | 'vc' | 'select' | 'padd' | 'done' = 'new';
  #buf: Uint8Array = new Uint8Array(0);
  #enc: Rc4 | undefined;
  #dec: Rc4 | undefined;
  #vcPattern: Uint8Array = new Uint8Array(0);
  #method: 'rc4' | 'plaintext' = 'rc4';
  #padD = 0;

  /** len(PadD) the responder sent (known once its step 4 arrived). */
  get padDLength(): number { return this.#padD; }

  constructor(o: MseInitiatorOptions) {
    this.#o = o;
    this.#x = fromBytes(o.privateKey ?? randomBytes(20));
  }

  /** Step 1: Ya, PadA. */
  start(): Uint8Array {
    if (this.#stage !== 'new') throw new Error('start() called twice');
    this.#stage = 'yb';
    const ya = toBytes96(modPow(2n, this.#x, P));
    return cat(ya, randomBytes(this.#o.padALength ?? randomInt(0, 513)));
  }

  push(chunk: Uint8Array): { send: Uint8Array[]; result?: MseInitiatorResult } {
    this.#buf = cat(this.#buf, chunk);
    const send: Uint8Array[] = [];
    for (;;) {
      if (this.#stage === 'yb') {
        if (this.#buf.length < 96) break;
        const s = toBytes96(modPow(fromBytes(this.#buf.subarray(0, 96)), this.#x, P));
        this.#buf = this.#buf.slice(96);
        const skey = this.#o.infoHash;
        this.#enc = rc4Dropped(sha1('keyA', s, skey));
        const req2 = sha1('req2', skey);
        const req3 = sha1('req3', s);
        const obf = req2.map((b, i) => b ^ req3[i]!);
        const ia = this.#o.initialPayload ?? new Uint8Array(0);
        const padC = this.#o.padCLength ?? 0;
        const plain = cat(
          this.#o.vc ?? new Uint8Array(8), u32(this.#o.cryptoProvide), u16(padC), randomBytes(padC), u16(ia.length), ia,
        );
        send.push(cat(sha1('req1', s), obf, this.#enc.process(plain)));
        const after = this.#o.afterIa;
        if (after !== undefined) {
          if (this.#o.cryptoProvide === 0x02) send.push(this.#enc.process(after));
          else if (this.#o.cryptoProvide === 0x01) send.push(after.slice());
          else throw new Error('initiator: afterIa needs cryptoProvide 0x01 or 0x02');
        }
        this.#vcPattern = rc4Dropped(sha1('keyB', s, skey)).process(new Uint8Array(8));
        this.#dec = rc4Dropped(sha1('keyB', s, skey));
        this.#stage = 'vc';
      } else if (this.#stage === 'vc') {
        const at = Buffer.from(this.#buf).indexOf(Buffer.from(this.#vcPattern));
        // Spec: A syncs on ENCRYPT(VC) within PadB (<= 512) + 8 bytes after Yb.
        if (at < 0 || at + 8 > 520) {
          if (this.#buf.length >= 520) throw new Error('initiator: no VC sync within 520 bytes');
          break;
        }
        this.#dec!.process(new Uint8Array(8));
        this.#buf = this.#buf.slice(at + 8);
        this.#stage = 'select';
      } else if (this.#stage === 'select') {
        if (this.#buf.length < 6) break;
        const d = this.#dec!.process(this.#buf.subarray(0, 6));
        this.#buf = this.#buf.slice(6);
        const select = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
        if (select !== 0x01 && select !== 0x02) throw new Error(`initiator: crypto_select must be one bit, got ${select}`);
        if ((select & this.#o.cryptoProvide) === 0) throw new Error('initiator: responder selected a method we did not provide');
        this.#method = select === 0x02 ? 'rc4' : 'plaintext';
        this.#padD = (d[4]! << 8) | d[5]!;
        if (this.#padD > 512) throw new Error('initiator: PadD too long');
        this.#stage = 'padd';
      } else if (this.#stage === 'padd') {
        if (this.#buf.length < this.#padD) break;
        this.#dec!.process(this.#buf.subarray(0, this.#padD));
        const rest = this.#buf.slice(this.#padD);
        this.#buf = new Uint8Array(0);
        this.#stage = 'done';
        const enc = this.#enc!;
        const dec = this.#dec!;
        const rc4 = this.#method === 'rc4';
        return {
          send,
          result: {
            method: this.#method,
            initial: rc4 ? dec.process(rest) : rest,
            encrypt: (d) => (rc4 ? enc.process(d) : d),
            decrypt: (d) => (rc4 ? dec.process(d) : d),
          },
        };
      } else {
        throw new Error(`initiator: push() in stage ${this.#stage}`);
      }
    }
    return { send };
  }
}
