/**
 * Constants of Message Stream Encryption (MSE / "Protocol Encryption"), as specified by
 * Vuze and libtorrent (wiki.vuze.com/w/Message_Stream_Encryption). Section names below
 * refer to that spec.
 */

/**
 * The 768-bit DH prime P. Note: this is NOT RFC 2409's Oakley group 1 (`modp1`), which
 * ends in ...A63A3620FFFFFFFFFFFFFFFF; every MSE client uses this value verbatim.
 */
export const MSE_PRIME_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1' +
  '29024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245' +
  'E485B576625E7EC6F44C42E9A63A36210000000000090563';

/** Spec: "G = 2". */
export const MSE_GENERATOR = 2;

/** Spec: Ya/Yb are sent as 768-bit big-endian integers, i.e. 96 bytes; S is padded the same way. */
export const DH_KEY_BYTES = 96;

/** Spec: "Xa and Xb ... Minimum length is 128 bit. Anything beyond 180 bit is not believed to add any further security". We use 160. */
export const PRIVATE_KEY_BYTES = 20;

/** Spec: PadA, PadB, PadC, PadD are each 0..512 bytes. */
export const MAX_PAD = 512;

/** SHA-1 output length; the size of HASH('req1', S) and of the obfuscated SKEY. */
export const HASH_BYTES = 20;

/** Spec: "VC is a verification constant ... 8 bytes, all zero" (encrypted, it becomes a sync marker). */
export const VC_BYTES = 8;

/**
 * The responder must find HASH('req1', S) within Ya + PadA(max) + the hash itself:
 * 96 + 512 + 20 = 628 bytes from the start of the stream (spec, step 3 "synchronize").
 */
export const MAX_REQ1_SYNC_BYTES = DH_KEY_BYTES + MAX_PAD + HASH_BYTES;

/**
 * Spec: len(IA) is a 16-bit field (<= 65535). We cap IA at 16 KiB: it only ever carries the
 * BitTorrent handshake (68 bytes) and perhaps a BEP 10 extended handshake and bitfield, which
 * fit easily; a larger IA would only let a peer make us buffer more before any check.
 */
export const MAX_IA_BYTES = 16 * 1024;

/** Spec: crypto_provide / crypto_select bit 0x01 = plaintext payload stream. */
export const CRYPTO_PLAINTEXT = 0x01;
/** Spec: crypto_provide / crypto_select bit 0x02 = RC4 payload stream. */
export const CRYPTO_RC4 = 0x02;

/** Spec: "discard the first 1024 bytes of the RC4 output" (RC4-drop1024), for both keys. */
export const RC4_DISCARD = 1024;
