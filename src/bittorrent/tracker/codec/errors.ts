/**
 * A tracker message (HTTP query, bencoded response, UDP packet) was rejected.
 * `reason` is a short stable identifier for logs and failure responses.
 */
export class TrackerCodecError extends Error {
  override readonly name = 'TrackerCodecError';
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}
