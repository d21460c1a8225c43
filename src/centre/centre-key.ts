import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvidenceError } from '../evidence/errors.ts';
import { KEY_DIR, keyFingerprint } from '../evidence/keys.ts';

export const CENTRE_PRIVATE_KEY_FILE = 'centre-ed25519.key.pem';
export const CENTRE_PUBLIC_KEY_FILE = 'centre-ed25519.pub.pem';

/** The centre's Ed25519 key: it signs what only the centre can state, the list of nodes in a package across nodes. */
export interface CentreKey { readonly privateKey: KeyObject; readonly publicPem: string; readonly fingerprint: string }

/**
 * The centre's key in DATA/keys (created on first use, mode 0600 in a 0700 directory), apart from
 * any node key: a centre is not a node, and a package across nodes must not present the centre's
 * statement (which nodes there are) under a node's name. The operator publishes its fingerprint
 * (`centre export` prints it) so that a verifier can pin it (verify-centre.mjs --centre-key).
 */
export function loadOrCreateCentreKey(dataDir: string): CentreKey {
  const dir = join(dataDir, KEY_DIR);
  const file = join(dir, CENTRE_PRIVATE_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    writeFileSync(join(dir, CENTRE_PUBLIC_KEY_FILE), createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(), { mode: 0o644 });
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new EvidenceError(`${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  const privateKey = createPrivateKey(readFileSync(file));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new EvidenceError(`${file} is ${privateKey.asymmetricKeyType}, expected ed25519`);
  const pub = createPublicKey(privateKey);
  return { privateKey, publicPem: pub.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: keyFingerprint(pub) };
}
