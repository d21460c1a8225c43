import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payload } from '../../domain/payload.ts';
import type { VariantCatalog, VariantRow } from '../../domain/variant.ts';
import { PayloadError } from '../errors.ts';
import type { PayloadRegistry } from '../registry.ts';
import { bundledVariants, type BundledVariants } from './bundled-variants.ts';
import { checkVariant } from './check-variant.ts';
import { formatByName } from './formats.ts';
import type { PaddingLayout } from './layout.ts';
import { makeVariant } from './make-variant.ts';
import { paddingLayout } from './padding.ts';
import { ToolMissingError } from './tools.ts';

export type { VariantCatalog, VariantRow };

/** Text used for .txt/.html/archive variants when a payload has no `<name>.txt` transcript beside it. */
const FALLBACK_TEXT = [
  'WARNING FROM THE POLICE',
  '',
  'This file was shared from a computer belonging to the police.',
  'Your IP address and activity may now be known to the police.',
  'Searching for or downloading material showing sexual abuse of children is a crime, and it harms children.',
  '',
  'Anonymous, confidential help is available: helplinks.eu',
  '',
].join('\n');

/** The variants ensure() uses and layout() reads: made now, registered by commit(). */
export interface VariantBatch {
  ensure(sourceId: string, format: string, opts?: { textPath?: string }): string;
  layout(variantId: string, format: string): PaddingLayout;
  /** Registers the variants this batch made (payload and variant rows); run it in the transaction of what uses them. */
  commit(): void;
}

/**
 * Container variants of registered warning videos (issue 3 §1): made once, checked
 * with a real decoder, registered as payloads (content-addressed, write-once) and
 * recorded with the decoder that accepted them. Layouts are cached per variant.
 * The bundled warning videos' variants were made and checked ahead of time
 * (bundled-variants.ts), so they need no tools here.
 */
export class VariantRegistry {
  readonly #payloads: PayloadRegistry;
  readonly #catalog: VariantCatalog;
  readonly #now: () => number;
  readonly #bundled: () => BundledVariants;
  readonly #layouts = new Map<string, PaddingLayout>();

  constructor(deps: { payloads: PayloadRegistry; catalog: VariantCatalog; now?: () => number; bundled?: BundledVariants }) {
    this.#payloads = deps.payloads;
    this.#catalog = deps.catalog;
    this.#now = deps.now ?? Date.now;
    const b = deps.bundled;
    this.#bundled = b ? () => b : bundledVariants;
  }

  /** The variant of `source` in `format`, made, checked and registered now if it does not exist yet. */
  ensure(sourceId: string, format: string, opts: { textPath?: string } = {}): string {
    const batch = this.batch();
    const id = batch.ensure(sourceId, format, opts);
    batch.commit();
    return id;
  }

  /**
   * For an all-or-nothing operation (issue 15 item 7): new variants are made, checked and
   * stored, but registered only by commit(), which the caller runs in the transaction of the
   * decoys that use them. A batch that never commits leaves nothing registered (its stored
   * files are inert, and a later batch reuses them).
   */
  batch(): VariantBatch {
    const pending = new Map<string, { row: VariantRow; payload: Payload }>();
    const staged = new Map<string, Payload>();
    return {
      ensure: (sourceId, format, opts = {}) => {
        const known = this.#catalog.getVariant(sourceId, format) ?? pending.get(`${sourceId}:${format}`)?.row;
        if (known) return known.variantId;
        const made = this.#make(sourceId, format, opts);
        pending.set(`${sourceId}:${format}`, made);
        staged.set(made.payload.id, made.payload);
        return made.row.variantId;
      },
      layout: (variantId, format) => {
        const p = staged.get(variantId);
        return p === undefined || this.#payloads.isRegistered(variantId) ? this.layout(variantId, format) : this.#layout(variantId, format, () => this.#payloads.stagedBytes(p));
      },
      commit: () => {
        for (const { row, payload } of pending.values()) {
          this.#payloads.register(payload);
          this.#catalog.putVariant(row);
        }
        pending.clear();
      },
    };
  }

  list(sourceId: string): VariantRow[] {
    return this.#catalog.listVariants(sourceId);
  }

  /** The padding layout of a registered variant (its bytes re-verified on first use). */
  layout(variantId: string, format: string): PaddingLayout {
    return this.#layout(variantId, format, () => this.#payloads.bytes(variantId));
  }

  #layout(variantId: string, format: string, bytes: () => Uint8Array): PaddingLayout {
    const key = `${variantId}:${format}`;
    let l = this.#layouts.get(key);
    if (l === undefined) {
      l = paddingLayout(format, bytes());
      this.#layouts.set(key, l);
    }
    return l;
  }

  /** Makes and checks one variant and stores its bytes; registers nothing. */
  #make(sourceId: string, format: string, opts: { textPath?: string }): { row: VariantRow; payload: Payload } {
    const source = this.#payloads.get(sourceId);
    if (!source.mediaType.startsWith('video/')) throw new PayloadError(`payload ${sourceId} is ${source.mediaType}; variants are made from warning videos`);
    if (!formatByName(format)) throw new PayloadError(`unknown variant format ${format}`);
    const bundled = this.#bundled();
    const dir = mkdtempSync(join(tmpdir(), 'counterseed-variant-'));
    try {
      const videoPath = this.#payloads.path(sourceId);
      const src = { videoPath, text: transcript(source, opts.textPath), videoName: videoName(source), rendered: (f: string) => bundled.renderedFile(sourceId, f) };
      let checkedBy: string;
      try {
        // An MP4 source is its own mp4 variant: the default payload keeps its id.
        const path = format === 'mp4' && source.mediaType === 'video/mp4' ? videoPath : makeVariant(format, src, dir);
        const pre = bundled.get(sourceId, format);
        checkedBy = pre !== undefined && pre.sha256 === sha256File(path)
          ? `${pre.checkedBy}, when it was rendered (scripts/render-variants.ts); these bytes are the same by SHA-256`
          : checkVariant(format, path).checkedBy;
        const { payload } = this.#payloads.stage(path, { label: `${source.label.replace(/\.[^.]*$/, '')}.${format}` });
        return { payload, row: { sourceId, format, variantId: payload.id, checkedBy, checkedAt: this.#now() } };
      } catch (e) {
        if (!(e instanceof ToolMissingError)) throw e;
        throw new PayloadError(`cannot make the ${format} variant of payload ${source.label} (${sourceId.slice(0, 12)}…): ${e.message}. `
          + 'The built-in warning video\'s variants come ready-made; those of a payload you added are made with ffmpeg and checked with a real decoder', { cause: e });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function transcript(p: Payload, textPath?: string): string {
  if (textPath) return readFileSync(textPath, 'utf8');
  return FALLBACK_TEXT;
}

function videoName(p: Payload): string {
  return /\.[A-Za-z0-9]{2,4}$/.test(p.label) ? p.label : 'warning.mp4';
}

/** The transcript committed beside a bundled payload, if any. */
export function transcriptBeside(videoPath: string): string | undefined {
  const t = videoPath.replace(/\.[^./]*$/, '.txt');
  return existsSync(t) ? t : undefined;
}
