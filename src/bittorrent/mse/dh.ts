import { createDiffieHellman, randomBytes } from 'node:crypto';
import { DH_KEY_BYTES, MSE_GENERATOR, MSE_PRIME_HEX, PRIVATE_KEY_BYTES } from './constants.ts';
import { MseError } from './errors.ts';

const PRIME = Buffer.from(MSE_PRIME_HEX, 'hex');
const P = BigInt('0x' + MSE_PRIME_HEX);

/** One side of the MSE Diffie-Hellman exchange (spec, step 1/2: "Diffie Hellman Ya/Yb"). */
export interface DhKeyPair {
  /** Our public value Y = G^X mod P, 96 bytes big-endian. */
  readonly publicKey: Uint8Array;
  /** S = Yremote^X mod P, 96 bytes big-endian. Throws MseError('mse:bad-dh-key') on an invalid Y. */
  computeSecret(remotePublic: Uint8Array): Uint8Array;
}

/** Left-pads a big-endian integer to `len` bytes (OpenSSL strips leading zero bytes). */
export function padBigEndian(b: Uint8Array, len: number): Uint8Array {
  if (b.length === len) return new Uint8Array(b);
  if (b.length > len) throw new RangeError(`value is ${b.length} bytes, more than ${len}`);
  const out = new Uint8Array(len);
  out.set(b, len - b.length);
  return out;
}

/** Whether Y is a usable public value: 1 < Y < P-1 (0, 1 and P-1 give a guessable S). */
export function isValidPublicKey(y: Uint8Array): boolean {
  if (y.length !== DH_KEY_BYTES) return false;
  const v = BigInt('0x' + (Buffer.from(y).toString('hex') || '0'));
  return v > 1n && v < P - 1n;
}

/** Creates a key pair; `privateKey` is for tests only, default 160 random bits. */
export function createDhKeyPair(privateKey?: Uint8Array): DhKeyPair {
  const dh = createDiffieHellman(PRIME, MSE_GENERATOR);
  dh.setPrivateKey(Buffer.from(privateKey ?? randomBytes(PRIVATE_KEY_BYTES)));
  // With a private key set, generateKeys() only derives the public value from it.
  const publicKey = padBigEndian(dh.generateKeys(), DH_KEY_BYTES);
  return {
    publicKey,
    computeSecret(remotePublic: Uint8Array): Uint8Array {
      if (!isValidPublicKey(remotePublic)) throw new MseError('mse:bad-dh-key');
      return padBigEndian(dh.computeSecret(remotePublic), DH_KEY_BYTES);
    },
  };
}
