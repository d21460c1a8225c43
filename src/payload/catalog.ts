import type { Payload } from '../domain/payload.ts';

/**
 * The persistence the payload registry needs, and nothing more.
 * The SQLite evidence store implements it; tests use MemoryPayloadCatalog.
 */
export interface PayloadCatalog {
  /** Records a new payload; callers never insert an id twice. */
  insertPayload(p: Payload): void;
  getPayload(id: string): Payload | undefined;
  /** Changes a payload's operator label (not part of its identity: the id is the SHA-256 of its bytes). */
  relabelPayload(id: string, label: string): void;
  /** All payloads, oldest first. */
  listPayloads(): Payload[];
}
