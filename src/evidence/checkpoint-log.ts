import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { EvidenceError } from './errors.ts';
import type { CheckpointBody } from './checkpoint.ts';

/** Bytes read from the end of the file to find its newest line (a line is ~450 bytes). */
const TAIL = 64 * 1024;

/** Published checkpoints a package always proves itself consistent with, newest first (see forPackage). */
const RECENT = 1000;

/** One published checkpoint: the signed text and its Ed25519 signature (base64), as in an export's checkpoint.json. */
export interface PublishedCheckpoint { readonly text: string; readonly signature: string }

/** A published checkpoint's line: canonical JSON {"signature","text"} (the keys are already in order). */
export const publishedLine = (c: PublishedCheckpoint): string => `${JSON.stringify({ signature: c.signature, text: c.text })}\n`;

/**
 * The checkpoint log outside the database (issue 17, item 3): every signed checkpoint is appended
 * to a file in the data directory, one line each, and fsync'd before checkpoint() returns. Deleting
 * the chain's tail together with the newest checkpoint row then no longer goes unseen: the newest
 * line names a tree the database must still hold (EvidenceLog checks this before every checkpoint
 * and export), and a copy published elsewhere (`counterseed evidence checkpoints`, or sent to a
 * witness) lets the offline verifier detect a shortened or rewritten log (verify.mjs --published).
 */
export class CheckpointLog {
  readonly path: string;
  constructor(path: string) { this.path = path; }

  append(c: PublishedCheckpoint): void {
    const fd = openSync(this.path, 'a', 0o644);
    try {
      const b = Buffer.from(publishedLine(c), 'utf8');
      for (let off = 0; off < b.length;) off += writeSync(fd, b, off, b.length - off);
      fsyncSync(fd);
    } finally { closeSync(fd); }
  }

  /** Every published checkpoint, oldest first (a torn last line, from a crash mid-append, is skipped). */
  all(): (PublishedCheckpoint & { body: CheckpointBody })[] {
    if (!existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const out: (PublishedCheckpoint & { body: CheckpointBody })[] = [];
    lines.forEach((line, i) => {
      if (line === '') return;
      try {
        const c = JSON.parse(line) as PublishedCheckpoint;
        out.push({ text: c.text, signature: c.signature, body: JSON.parse(c.text) as CheckpointBody });
      } catch {
        if (i === lines.length - 1) return;
        throw new EvidenceError(`${this.path} line ${i + 1} is not a published checkpoint`);
      }
    });
    return out;
  }

  /**
   * The published checkpoints a package over `treeSize` records proves itself consistent with: the
   * newest RECENT ones, and the last one of every earlier UTC day. A year of 5-minute checkpoints
   * would otherwise put ~100,000 proofs (~190 MB) in every package; this keeps it to ~1,400.
   * Publishing the day's last checkpoint (`evidence checkpoints`) is therefore always enough.
   */
  forPackage(treeSize: number): (PublishedCheckpoint & { body: CheckpointBody })[] {
    const upTo = this.all().filter((c) => c.body.tree_size >= 1 && c.body.tree_size <= treeSize);
    const recent = upTo.slice(-RECENT);
    const older = upTo.slice(0, -RECENT);
    const day = (c: { body: CheckpointBody }) => Math.floor(c.body.at / 86_400_000);
    return [...older.filter((c, i) => i === older.length - 1 || day(older[i + 1]!) !== day(c)), ...recent];
  }

  /** The newest published checkpoint, read from the file's tail (it is checked before every checkpoint: the file only grows). */
  last(): (PublishedCheckpoint & { body: CheckpointBody }) | undefined {
    if (!existsSync(this.path)) return undefined;
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      const n = Math.min(size, TAIL);
      const b = Buffer.alloc(n);
      readSync(fd, b, 0, n, size - n);
      // Complete lines only: the first may be cut by the tail, the last may be torn by a crash mid-append.
      const lines = b.toString('utf8').split('\n').slice(n < size ? 1 : 0, -1).filter((l) => l !== '');
      const line = lines[lines.length - 1];
      if (line === undefined) return size > TAIL ? this.all().at(-1) : undefined;
      const c = JSON.parse(line) as PublishedCheckpoint;
      return { text: c.text, signature: c.signature, body: JSON.parse(c.text) as CheckpointBody };
    } catch (e) {
      throw new EvidenceError(`${this.path}: the last line is not a published checkpoint (${(e as Error).message})`);
    } finally { closeSync(fd); }
  }
}
