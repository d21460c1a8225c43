/** The tracker answered, but with a failure (BEP 3 `failure reason`, BEP 15 error action). */
export class TrackerFailureError extends Error {
  override readonly name = 'TrackerFailureError';
  readonly tracker: string;
  constructor(tracker: string, reason: string) {
    super(`tracker ${tracker} failed: ${reason}`);
    this.tracker = tracker;
  }
}

/** No (usable) answer in time, after every retry. */
export class TrackerTimeoutError extends Error {
  override readonly name = 'TrackerTimeoutError';
}

/** A transport-level problem: HTTP status, oversized body, unsupported URL. */
export class TrackerRequestError extends Error {
  override readonly name = 'TrackerRequestError';
}
