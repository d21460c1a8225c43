import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { NotFoundError } from '../domain/errors.ts';
import type { Payload } from '../domain/payload.ts';
import type { PayloadCatalog } from './catalog.ts';
import { ContentStore } from './content-store.ts';
import { PayloadError } from './errors.ts';
import { hashFile } from './file-hash.ts';
import { sniffMediaType, sniffVideo } from './media-type.ts';

export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
const MAX_LABEL_CHARS = 255;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface PayloadRegistryDeps {
  /** Data directory; payload files live in `<dir>/payloads/<sha256>`. */
  readonly dir: string;
  readonly catalog: PayloadCatalog;
  /** Clock for `addedAt`, UTC ms. */
  readonly now?: () => number;
  /** Largest payload accepted, in bytes. */
  readonly maxBytes?: number;
}

/**
 * Registered warning payloads. A payload is identified by the SHA-256 of its bytes,
 * stored once and never changed; the seeder serves registered payloads only.
 */
export class PayloadRegistry {
  readonly #store: ContentStore;
  readonly #catalog: PayloadCatalog;
  readonly #now: () => number;
  readonly #maxBytes: number;
  /** Bytes verified against their id since this process started; payloads are small. */
  readonly #verified = new Map<string, Uint8Array>();

  constructor(deps: PayloadRegistryDeps) {
    this.#store = new ContentStore(join(deps.dir, 'payloads'));
    this.#catalog = deps.catalog;
    this.#now = deps.now ?? Date.now;
    this.#maxBytes = deps.maxBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  }

  /**
   * Registers a file. Idempotent: the same bytes give the same Payload (the first
   * label and addedAt are kept) and are not stored again, unless the stored copy was
   * lost or altered, in which case it is restored from this file.
   */
  add(filePath: string, opts: { label?: string; videoOnly?: boolean } = {}): Payload {
    const { payload, registered } = this.stage(filePath, opts);
    if (!registered) this.register(payload);
    return payload;
  }

  /**
   * The first half of add(): checks the file, stores its bytes under their SHA-256 (an
   * unregistered stored file is inert: nothing serves or lists it), and returns the
   * payload with whether it is already registered. register() makes it a payload, so a
   * caller can register together with what uses it (one transaction), or not at all.
   */
  stage(filePath: string, opts: { label?: string; videoOnly?: boolean } = {}): { payload: Payload; registered: boolean } {
    const label = checkLabel(opts.label ?? basename(filePath));
    // stat before open: opening a FIFO or device could block or have side effects.
    const before = statOrThrow(filePath);
    checkRegularFile(filePath, before, this.#maxBytes);
    const fd = openSync(filePath, 'r');
    try {
      const st = fstatSync(fd);
      if (st.ino !== before.ino || st.dev !== before.dev) throw new PayloadError(`payload file ${filePath} was replaced while it was being registered; try again`);
      checkRegularFile(filePath, st, this.#maxBytes);
      const { sha256: id, bytesRead, head } = hashFile(fd, st.size);
      if (bytesRead !== st.size) throw new PayloadError(`payload file ${filePath} changed size while it was being read; try again`);
      if (opts.videoOnly && sniffVideo(head) === undefined) throw notAVideo(filePath, sniffMediaType(head, filePath));
      const known = this.#catalog.getPayload(id);
      if (known !== undefined) {
        if (!this.#verified.has(id) && !(this.#store.read(id, known.size) instanceof Uint8Array)) this.#store.put(id, fd, st.size);
        return { payload: known, registered: true };
      }
      if (!(this.#store.read(id, st.size) instanceof Uint8Array)) this.#store.put(id, fd, st.size);
      return { payload: { id, size: st.size, label, mediaType: sniffMediaType(head, filePath), addedAt: this.#now() }, registered: false };
    } finally {
      closeSync(fd);
    }
  }

  /** Gives a registered payload another operator label; its id and bytes never change. */
  relabel(id: string, label: string): Payload {
    const p = this.get(id);
    this.#catalog.relabelPayload(p.id, checkLabel(label));
    return this.get(id);
  }

  /** Registers a staged payload (a no-op when it already is). */
  register(p: Payload): void {
    if (this.#catalog.getPayload(p.id) === undefined) this.#catalog.insertPayload(p);
  }

  get(id: string): Payload {
    const p = SHA256_HEX.test(id) ? this.#catalog.getPayload(id) : undefined;
    if (p === undefined) throw new NotFoundError(`no registered payload with id ${id}`);
    return p;
  }

  list(): Payload[] {
    return this.#catalog.listPayloads();
  }

  isRegistered(id: string): boolean {
    return SHA256_HEX.test(id) && this.#catalog.getPayload(id) !== undefined;
  }

  /** Where the payload's bytes are stored (content-addressed by its id). */
  path(id: string): string {
    return this.#store.path(this.get(id).id);
  }

  /**
   * The payload's bytes, re-checked against its SHA-256 on first use in this process.
   * The returned array is shared: callers must not modify it.
   */
  bytes(id: string): Uint8Array {
    return this.#verified.get(id) ?? this.#cached(this.get(id));
  }

  /** The bytes of a staged, not yet registered payload, checked against its SHA-256 like bytes(). */
  stagedBytes(p: Payload): Uint8Array {
    return this.#cached(p);
  }

  #cached(p: Payload): Uint8Array {
    const cached = this.#verified.get(p.id);
    if (cached !== undefined) return cached;
    const r = this.#store.read(p.id, p.size);
    if (!(r instanceof Uint8Array)) {
      throw new PayloadError(`payload ${p.id} ${r.problem}; it will not be served. Re-add the original file (${p.label}) to restore it`);
    }
    this.#verified.set(p.id, r);
    return r;
  }
}

function statOrThrow(filePath: string): Stats {
  try {
    return statSync(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PayloadError(`payload file not found: ${filePath}`);
    if (code === 'EACCES') throw new PayloadError(`cannot read payload file ${filePath}: permission denied`);
    throw new PayloadError(`cannot read payload file ${filePath}: ${(err as Error).message}`, { cause: err });
  }
}

function checkRegularFile(filePath: string, st: Stats, maxBytes: number): void {
  if (st.isDirectory()) throw new PayloadError(`payload path ${filePath} is a directory, not a regular file`);
  if (!st.isFile()) throw new PayloadError(`payload path ${filePath} is not a regular file (device, FIFO or socket)`);
  if (st.size === 0) throw new PayloadError(`payload file ${filePath} is empty`);
  if (st.size > maxBytes) throw new PayloadError(`payload file ${filePath} is ${st.size} bytes, over the limit of ${maxBytes} bytes`);
}

function notAVideo(filePath: string, mediaType: string): PayloadError {
  return new PayloadError(`${filePath} is not a video (its content looks like ${mediaType}): a payload is a warning video `
    + '(MP4, MOV, MKV, WebM, AVI, FLV, WMV or MPEG); the text, PDF, image and archive forms of decoys are made from it');
}

function checkLabel(label: string): string {
  if (label.length === 0) throw new PayloadError('payload label is empty');
  if (label.length > MAX_LABEL_CHARS) throw new PayloadError(`payload label is longer than ${MAX_LABEL_CHARS} characters`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(label)) throw new PayloadError('payload label contains control characters');
  return label;
}
