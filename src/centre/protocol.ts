import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * How a node talks to the centre (docs/centre.md): one request, POST /v2/batch, whose body is a
 * batch (batch-codec.ts: a JSON header line, then the records' texts, one per line), sent with the node's key fingerprint and an Ed25519 signature by
 * the node's evidence key over a context string, the request's path and the SHA-256 of the body. The centre knows
 * the registered keys: a request signed by an unknown key, or not signed by the key it names, is
 * refused and counted. An empty batch asks for the acknowledged size only.
 */
export const BATCH_PATH = '/v2/batch';
export const NODE_HEADER = 'x-counterseed-node';
export const SIGNATURE_HEADER = 'x-counterseed-signature';
const CONTEXT = 'counterseed-ship/v2\n';

/** The signed bytes name the request's path: a body signed for one request cannot be replayed as another. */
const signedBytes = (path: string, body: Uint8Array) => Buffer.from(`${CONTEXT}${path}\n${createHash('sha256').update(body).digest('hex')}`, 'utf8');

export function signBody(path: string, body: Uint8Array, privateKey: KeyObject): string {
  return sign(null, signedBytes(path, body), privateKey).toString('base64');
}

export function verifyBody(path: string, body: Uint8Array, signature: string, publicKey: KeyObject): boolean {
  try { return verify(null, signedBytes(path, body), publicKey, Buffer.from(signature, 'base64')); } catch { return false; }
}
