/**
 * A peer sent something the codec refuses. `reason` is a short, stable code
 * (`frame-too-long`, `bad-length:have`, `unknown-message-id:99`, ...) that the
 * seeder records as the disconnect reason; `message` is for humans.
 */
export class WireError extends Error {
  override readonly name = 'WireError';
  readonly reason: string;
  constructor(reason: string, detail?: string, options?: ErrorOptions) {
    super(detail === undefined ? reason : `${reason}: ${detail}`, options);
    this.reason = reason;
  }
}

/**
 * Wraps a bencode failure as `bencode:<what>`. The byte offset is dropped from
 * the reason (kept in the message) so that reasons group well in statistics.
 */
export function bencodeWireError(e: unknown, where: string): WireError {
  const text = e instanceof Error ? e.message : String(e);
  return new WireError(`bencode:${text.replace(/ at byte \d+$/, '')}`, `${where}: ${text}`, { cause: e });
}
