/** A KRPC packet that does not follow BEP 5; `reason` is a short stable name for counters and logs. */
export class KrpcDecodeError extends Error {
  override name = 'KrpcDecodeError';
  readonly reason: string;
  constructor(reason: string, detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.reason = reason;
  }
}

/** A query we sent failed: timeout, KRPC error reply, shutdown, or our own limits. */
export class DhtQueryError extends Error {
  override name = 'DhtQueryError';
  readonly reason: 'timeout' | 'error-reply' | 'closed' | 'queue-full' | 'aborted' | 'bad-reply';
  constructor(reason: DhtQueryError['reason'], detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.reason = reason;
  }
}

/** Bad DHT configuration (an address, a bootstrap node). */
export class DhtConfigError extends Error {
  override name = 'DhtConfigError';
}
