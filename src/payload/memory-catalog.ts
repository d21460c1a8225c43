import type { Payload } from '../domain/payload.ts';
import type { PayloadCatalog } from './catalog.ts';

/** In-memory PayloadCatalog for tests and dry runs. */
export class MemoryPayloadCatalog implements PayloadCatalog {
  readonly #byId = new Map<string, Payload>();

  insertPayload(p: Payload): void {
    // Same contract as a UNIQUE primary key: a second insert is a caller bug.
    if (this.#byId.has(p.id)) throw new Error(`payload ${p.id} already in catalog`);
    this.#byId.set(p.id, p);
  }

  getPayload(id: string): Payload | undefined {
    return this.#byId.get(id);
  }

  relabelPayload(id: string, label: string): void {
    const p = this.#byId.get(id);
    if (p) this.#byId.set(id, { ...p, label });
  }

  listPayloads(): Payload[] {
    return [...this.#byId.values()];
  }
}
