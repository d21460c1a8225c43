/** A registered warning payload. Content-addressed: id is the SHA-256 of its bytes; never changed after registration. */
export interface Payload {
  /** SHA-256 of the content, 64 lowercase hex chars. */
  readonly id: string;
  readonly size: number;
  /** Original file name, for operators (e.g. "warning-no-en.mp4"). */
  readonly label: string;
  /** Media type guessed from the content/extension, e.g. "video/mp4". */
  readonly mediaType: string;
  /** UTC milliseconds since the epoch. */
  readonly addedAt: number;
}
