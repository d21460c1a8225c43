/** Why an MSE handshake was rejected; recorded as the disconnect reason. */
export type MseFailure =
  | 'mse:bad-dh-key'          // Ya is not in 2..P-2 (spec: Y must be a valid DH public value)
  | 'mse:no-sync'             // HASH('req1', S) not within 96 + 512 + 20 bytes
  | 'mse:unknown-infohash'    // HASH('req2', SKEY) matches no torrent we serve
  | 'mse:bad-vc'              // decrypted VC is not 8 zero bytes
  | 'mse:no-common-method'    // crypto_provide has no method we accept
  | 'mse:pad-too-long'        // len(PadC) > 512
  | 'mse:ia-too-long'         // len(IA) > MAX_IA_BYTES
  | 'mse:already-complete';   // push() after the handshake finished: use MseResult instead

/** A handshake failure; `reason` is a stable, machine-readable code. */
export class MseError extends Error {
  override name = 'MseError';
  readonly reason: MseFailure;
  constructor(reason: MseFailure, detail?: string) {
    super(detail === undefined ? reason : `${reason}: ${detail}`);
    this.reason = reason;
  }
}
