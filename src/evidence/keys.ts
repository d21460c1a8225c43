import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvidenceError } from './errors.ts';

/** The node's Ed25519 signing key (RFC 8032). One per data directory; its fingerprint is the node id. */
export interface NodeKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM (RFC 8410): what exports carry and what operators publish. */
  readonly publicPem: string;
  /** Hex SHA-256 of the raw 32-byte public key. */
  readonly fingerprint: string;
}

export const KEY_DIR = 'keys';
export const PRIVATE_KEY_FILE = 'node-ed25519.key.pem';
export const PUBLIC_KEY_FILE = 'node-ed25519.pub.pem';

/** Raw 32-byte Ed25519 public key: the last 32 bytes of its 44-byte SPKI DER (RFC 8410 section 4). */
export function rawPublicKey(pub: KeyObject): Buffer {
  const der = pub.export({ type: 'spki', format: 'der' });
  if (der.length !== 44) throw new EvidenceError(`not an Ed25519 public key (SPKI of ${der.length} bytes)`);
  return der.subarray(12);
}

export function keyFingerprint(pub: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(pub)).digest('hex');
}

/** "ab12 cd34 …": easier to read aloud and compare on paper. */
export function formatFingerprint(fp: string): string {
  return fp.match(/.{1,4}/g)!.join(' ');
}

function fromPrivate(privateKey: KeyObject): NodeKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new EvidenceError(`node key is ${privateKey.asymmetricKeyType}, expected ed25519`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: keyFingerprint(publicKey) };
}

/** Loads DATA/keys/node-ed25519.key.pem; refuses a key file others can read. */
export function loadNodeKey(dataDir: string): NodeKey | undefined {
  const file = join(dataDir, KEY_DIR, PRIVATE_KEY_FILE);
  if (!existsSync(file)) return undefined;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new EvidenceError(`${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  return fromPrivate(createPrivateKey(readFileSync(file)));
}

/** Returns the node key, generating it on first use (mode 0600 in a 0700 directory). */
export function loadOrCreateNodeKey(dataDir: string): { key: NodeKey; created: boolean } {
  const existing = loadNodeKey(dataDir);
  if (existing) return { key: existing, created: false };
  const dir = join(dataDir, KEY_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = fromPrivate(privateKey);
  // flag 'wx': never overwrite a key another process created a moment ago.
  writeFileSync(join(dir, PRIVATE_KEY_FILE), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(join(dir, PUBLIC_KEY_FILE), key.publicPem, { mode: 0o644 });
  return { key, created: true };
}
